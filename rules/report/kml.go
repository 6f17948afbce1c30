package report

import (
	"bytes"
	"fmt"
	"image/color"
	"io"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/rules"
	geomkml "github.com/twpayne/go-geom/encoding/kml"
	"github.com/twpayne/go-kml/v3"
)

// KML writes conflicts.kml, for checking conflicts in the field with
// Google Earth or 奥维互动地图: one Placemark per finding, in a Folder per
// rule, named by rule and features, styled by severity (red errors, orange
// warnings, blue notes; waived and resolved findings grey), its
// description the bilingual message, area, location and review state. The
// geometry is the one conflicts.geojson shows (the patch, else a marker,
// envelope or layer extent), rounded to 1e-7 degrees.
func KML(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	ext := newExtents(r, fs)
	title := toolName(r) + " conflicts"
	if r.PlanSet != "" {
		title += ": " + r.PlanSet
	}
	doc := []kml.Element{
		kml.Name(title),
		severityStyle("error", color.RGBA{R: 0xd7, G: 0x19, B: 0x1c, A: 0xff}),
		severityStyle("warning", color.RGBA{R: 0xfd, G: 0xae, B: 0x61, A: 0xff}),
		severityStyle("info", color.RGBA{R: 0x2c, G: 0x7b, B: 0xb6, A: 0xff}),
		severityStyle("settled", color.RGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xff}),
	}
	folders := map[string][]kml.Element{}
	var order []string
	for _, f := range fs {
		g, _ := polygonalGeometry(f, ext)
		pm := []kml.Element{
			kml.Name(f.Rule + " " + f.Subject()),
			kml.Description(kmlDescription(f)),
			kml.StyleURL("#" + kmlStyle(f)),
		}
		if g != nil {
			t, err := geo.ToGoGeom(roundGeometry(g))
			if err != nil {
				return fmt.Errorf("report: finding %s %s: %w", f.Rule, f.Subject(), err)
			}
			e, err := geomkml.Encode(t)
			if err != nil {
				return fmt.Errorf("report: finding %s %s: %w", f.Rule, f.Subject(), err)
			}
			pm = append(pm, e)
		}
		if _, ok := folders[f.Rule]; !ok {
			order = append(order, f.Rule)
		}
		folders[f.Rule] = append(folders[f.Rule], kml.Placemark(pm...))
	}
	for _, rule := range order {
		doc = append(doc, kml.Folder(append([]kml.Element{kml.Name(rule)}, folders[rule]...)...))
	}
	var buf bytes.Buffer
	if err := kml.KML(kml.Document(doc...)).WriteIndent(&buf, "", "  "); err != nil {
		return fmt.Errorf("report: writing KML: %w", err)
	}
	buf.WriteString("\n")
	_, err := w.Write(buf.Bytes())
	return err
}

func severityStyle(id string, c color.RGBA) kml.Element {
	fill := c
	fill.A = 0x66
	return kml.SharedStyle(id,
		kml.LineStyle(kml.Color(c), kml.Width(2)),
		kml.PolyStyle(kml.Color(fill)),
		kml.IconStyle(kml.Color(c), kml.Scale(0.8)),
	)
}

// kmlStyle is a finding's style: by severity, grey when settled (waived
// or resolved since the baseline).
func kmlStyle(f rules.Finding) string {
	if f.Review != nil && (f.Review.Waived || f.Review.State == rules.StateAbsent) {
		return "settled"
	}
	return f.Severity.String()
}

func kmlDescription(f rules.Finding) string {
	lines := []string{clean(message(f)), "severity: " + f.Severity.String()}
	if f.AreaM2 != 0 {
		lines = append(lines, "area: "+metres(f.AreaM2)+" m² ("+hectares(f.AreaM2)+" ha)")
	}
	if loc := location(f); loc != "" {
		lines = append(lines, "file: "+clean(loc))
	}
	if f.District != "" {
		lines = append(lines, "所在区县: "+clean(f.District))
	}
	if rv := f.Review; rv != nil {
		if rv.State != "" {
			lines = append(lines, "state: "+rv.State+" "+rv.StateLabelZH())
		}
		if d := rv.Decision; d != nil {
			lines = append(lines, "decision: "+d.Status+" "+clean(d.Basis)+" "+clean(d.Opinion))
		}
	}
	lines = append(lines, "fingerprint: "+f.Fingerprint())
	return strings.Join(lines, "\n")
}

// roundGeometry rounds coordinates to 1e-7 degrees, as every report does.
func roundGeometry(g orb.Geometry) orb.Geometry {
	return geo.Transform(g, func(x, y float64) (float64, float64) { return round(x, 7), round(y, 7) })
}

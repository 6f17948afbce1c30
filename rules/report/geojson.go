package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/rules"
)

// GeoJSON writes conflicts.geojson: a FeatureCollection (RFC 7946, WGS84
// lon/lat) with one Feature per finding, one Feature per line. The geometry
// is the finding's Geometry with coordinates rounded to 1e-7 degrees (null
// for layer-level findings); the properties are rule, severity, layers,
// features, classes, area_m2, length_m, message and fingerprint, in that
// order.
func GeoJSON(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	b := bufio.NewWriter(w)
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	var line bytes.Buffer
	for i, f := range fs {
		line.Reset()
		line.WriteString(`{"type":"Feature","geometry":`)
		if err := writeGeometry(&line, f.Geometry); err != nil {
			return fmt.Errorf("report: finding %s %s: %w", f.Rule, f.Subject(), err)
		}
		line.WriteString(`,"properties":`)
		if err := writeCompact(&line, newProperties(f)); err != nil {
			return fmt.Errorf("report: finding %s %s: %w", f.Rule, f.Subject(), err)
		}
		line.WriteString("}")
		if i < len(fs)-1 {
			line.WriteString(",")
		}
		b.WriteString("\n")
		inertJSON.WriteString(b, line.String())
	}
	if len(fs) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]}\n")
	return b.Flush()
}

// jsonEncoder is the encoder of every JSON report: no HTML escaping
// (inertJSON escapes what terminals act on), each line after the first
// starting with prefix, nesting indented by indent ("" for one line).
func jsonEncoder(w io.Writer, prefix, indent string) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, indent)
	return enc
}

// writeCompact writes v as one line of JSON without HTML escaping.
func writeCompact(buf *bytes.Buffer, v any) error {
	if err := jsonEncoder(buf, "", "").Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode ends with a newline
	return nil
}

// writeGeometry writes g as a GeoJSON geometry object with coordinates
// rounded to 1e-7 degrees; nil is written as null. orb.Ring and orb.Bound
// are written as Polygons, and nil members of a Collection are left out.
func writeGeometry(buf *bytes.Buffer, g orb.Geometry) error {
	if g == nil {
		buf.WriteString("null")
		return nil
	}
	var err error
	coords := func(typ string, write func()) {
		buf.WriteString(`{"type":"` + typ + `","coordinates":`)
		write()
		buf.WriteString("}")
	}
	point := func(p orb.Point) {
		if !finite(p[0]) || !finite(p[1]) {
			err = fmt.Errorf("non-finite coordinate %v %v", p[0], p[1])
		}
		buf.WriteString("[" + degrees(p[0]) + "," + degrees(p[1]) + "]")
	}
	points := func(ps []orb.Point) {
		buf.WriteString("[")
		for i, p := range ps {
			if i > 0 {
				buf.WriteString(",")
			}
			point(p)
		}
		buf.WriteString("]")
	}
	polygon := func(p orb.Polygon) {
		buf.WriteString("[")
		for i, ring := range p {
			if i > 0 {
				buf.WriteString(",")
			}
			points(ring)
		}
		buf.WriteString("]")
	}
	switch g := g.(type) {
	case orb.Point:
		coords("Point", func() { point(g) })
	case orb.MultiPoint:
		coords("MultiPoint", func() { points(g) })
	case orb.LineString:
		coords("LineString", func() { points(g) })
	case orb.MultiLineString:
		coords("MultiLineString", func() {
			buf.WriteString("[")
			for i, ls := range g {
				if i > 0 {
					buf.WriteString(",")
				}
				points(ls)
			}
			buf.WriteString("]")
		})
	case orb.Ring:
		coords("Polygon", func() { polygon(orb.Polygon{g}) })
	case orb.Bound:
		coords("Polygon", func() { polygon(g.ToPolygon()) })
	case orb.Polygon:
		coords("Polygon", func() { polygon(g) })
	case orb.MultiPolygon:
		coords("MultiPolygon", func() {
			buf.WriteString("[")
			for i, p := range g {
				if i > 0 {
					buf.WriteString(",")
				}
				polygon(p)
			}
			buf.WriteString("]")
		})
	case orb.Collection:
		buf.WriteString(`{"type":"GeometryCollection","geometries":[`)
		n := 0
		for _, m := range g {
			if m == nil {
				continue
			}
			if n > 0 {
				buf.WriteString(",")
			}
			n++
			if e := writeGeometry(buf, m); e != nil && err == nil {
				err = e
			}
		}
		buf.WriteString("]}")
	default:
		return fmt.Errorf("unsupported geometry type %T", g)
	}
	return err
}

func finite(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0)
}

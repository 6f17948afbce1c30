package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/plancheck/plancheck/rules"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report.html").Parse(htmlSource))

// htmlPage is the template data of report.html. Every string in it is
// cleaned user text or text made here; the template escapes it.
type htmlPage struct {
	Title     string
	Facts     []htmlFact
	Totals    string
	Inputs    []htmlInput
	Map       *svgMap
	Legend    []htmlLegend
	Rules     []htmlRule
	Pairs     []htmlPair
	Districts []districtRow
	Findings  []htmlFinding
}

type htmlFact struct{ Label, Value string }

type htmlInput struct {
	Layer, Level, File, SHA256 string
	Features                   int
}

type htmlLegend struct {
	Label, Fill, Stroke string
}

type htmlRule struct {
	Name, Title, Severity string
	Count                 int
	AreaM2, AreaHa        string
}

type htmlPair struct {
	Layers         string
	Count          int
	AreaM2, AreaHa string
}

type htmlFinding struct {
	N                         int
	OnMap                     bool
	Severity                  string
	Rule, Subject, Classes    string
	AreaM2, LengthM           string
	Message, Location, AtNear string
	Fingerprint               string
}

// HTML writes report.html, one self-contained file that needs no network:
// a header with the plan set, asof and inputs; an inline SVG map of the map
// layers (a muted colour per level) with the conflict patches on top,
// coloured by severity, each linking to its row in the findings table and
// back; tables by rule and by layer pair; then the findings table.
func HTML(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	s := summarize(r, fs)
	page := htmlPage{
		Title:  clean(toolName(r)) + " report",
		Totals: s.totals(),
		Map:    newMap(r, fs),
	}
	if r.PlanSet != "" {
		page.Title += ": " + clean(r.PlanSet)
	}
	fact := func(label, value string) {
		if value != "" {
			page.Facts = append(page.Facts, htmlFact{label, value})
		}
	}
	fact("Plan set", clean(r.PlanSet))
	if r.Asof != 0 {
		fact("As of", strconv.Itoa(r.Asof))
	}
	fact("Command", clean(r.Command))
	fact("Tool", strings.TrimSpace(clean(toolName(r))+" "+clean(r.Version)))
	fact("Minimum area", metres(r.MinAreaM2)+" m²")

	for _, in := range r.Inputs {
		page.Inputs = append(page.Inputs, htmlInput{
			Layer: clean(in.Layer), Level: clean(in.Level), File: clean(in.File),
			SHA256: clean(in.SHA256), Features: in.Features,
		})
	}
	if page.Map != nil {
		seen := map[string]bool{}
		for _, l := range page.Map.Layers {
			if !seen[l.Level] {
				seen[l.Level] = true
				page.Legend = append(page.Legend, htmlLegend{Label: l.Level, Fill: l.Fill, Stroke: l.Stroke})
			}
		}
	}
	for _, rc := range s.Rules {
		page.Rules = append(page.Rules, htmlRule{
			Name: clean(rc.Rule.Name), Title: clean(rc.Rule.Title), Severity: severityClass(rc.Rule.Severity),
			Count: rc.Count, AreaM2: metres(rc.AreaM2), AreaHa: hectares(rc.AreaM2),
		})
	}
	page.Districts = districtRows(r)
	for i := range page.Districts {
		page.Districts[i].District = clean(page.Districts[i].District)
	}
	for _, p := range s.Pairs {
		page.Pairs = append(page.Pairs, htmlPair{
			Layers: clean(strings.Join(p.Layers, " × ")), Count: p.Count,
			AreaM2: metres(p.AreaM2), AreaHa: hectares(p.AreaM2),
		})
	}
	patched := map[int]bool{}
	if page.Map != nil {
		for _, p := range page.Map.Patches {
			patched[p.N] = true
		}
	}
	for i, f := range fs {
		hf := htmlFinding{
			N:           i + 1,
			OnMap:       patched[i+1],
			Severity:    severityClass(f.Severity),
			Rule:        clean(f.Rule),
			Subject:     clean(f.Subject()),
			Classes:     clean(strings.Join(f.Classes, " × ")),
			AreaM2:      metres(f.AreaM2),
			LengthM:     metres(f.LengthM),
			Message:     clean(message(f)),
			Location:    clean(location(f)),
			Fingerprint: f.Fingerprint(),
		}
		if f.At != nil {
			hf.AtNear = "at or near " + degrees(f.At[0]) + " " + degrees(f.At[1])
		}
		page.Findings = append(page.Findings, hf)
	}
	if err := htmlTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("report: writing HTML: %w", err)
	}
	return nil
}

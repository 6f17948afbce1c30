package report

import (
	"cmp"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/plancheck/plancheck/rules"
)

//go:embed report.html.tmpl
var htmlSource string

// htmlScript zooms and pans the map, zooms to a finding clicked in the
// table and filters the table and the map. It is the page's only script;
// the Content-Security-Policy admits it by its hash and nothing else
// (no network, no other script).
//
//go:embed report.js
var htmlScript string

var htmlTemplate = template.Must(template.New("report.html").Parse(htmlSource))

// htmlCSP is the page's Content-Security-Policy.
var htmlCSP = func() string {
	sum := sha256.Sum256([]byte(htmlScript))
	return "default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}()

// htmlRowCap is the most findings the findings table lists; beyond it the
// page summarises and points to conflicts.geojson and ledger.xlsx.
const htmlRowCap = 1000

// htmlPage is the template data of report.html. Every string in it is
// cleaned user text or text made here; the template escapes it.
type htmlPage struct {
	Title     string
	CSP       string
	Script    template.JS
	Facts     []htmlFact
	Only      string
	Totals    string
	Inputs    []htmlInput
	Map       *svgMap
	Legend    []htmlLegend
	Rules     []htmlRule
	Severity  []htmlCount
	Pairs     []htmlPair
	Districts []districtRow
	States    []htmlCount // by review state, with a baseline
	Decisions []htmlCount // by decision, with decisions
	Findings  []htmlFinding
	Filters   []htmlFilter
	Reviewed  bool
	TableNote string
	Largest   []htmlFinding // the largest by area, when the table is cut
}

type htmlFact struct{ Label, Value string }

type htmlCount struct {
	Label string
	Count int
}

type htmlFilter struct {
	Key, Label string
	Options    []string
}

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
	// The rule's doc, shown under its title: 标题, the sections, the
	// settings it reads.
	TitleZH  string
	Sections []htmlSection
	Settings []htmlSetting
}

type htmlSection struct {
	Heading    string
	Paragraphs []string
}

type htmlSetting struct {
	Name, Text string
}

// ruleHelp fills in the doc of a rule row; a rule known only by name (a
// finding of a rule missing from the run's list) has none.
func (h *htmlRule) ruleHelp(ri rules.RuleInfo) {
	if ri.Doc == "" && ri.Help == (rules.Doc{}) {
		return
	}
	d := ri.Structured()
	h.TitleZH = clean(d.TitleZH)
	for _, sec := range d.Sections(nil) {
		hs := htmlSection{Heading: clean(sec.Heading)}
		for _, p := range strings.Split(sec.Text, "\n") {
			hs.Paragraphs = append(hs.Paragraphs, clean(p))
		}
		h.Sections = append(h.Sections, hs)
	}
	for _, st := range ri.Settings {
		h.Settings = append(h.Settings, htmlSetting{Name: clean(st.Name), Text: clean(strings.TrimPrefix(st.Line(), st.Name+": "))})
	}
}

type htmlPair struct {
	Layers         string
	Count          int
	AreaM2, AreaHa string
}

type htmlFinding struct {
	N                         int
	OnMap                     bool
	Severity, Class           string
	Rule, Subject, Classes    string
	Measure                   string
	Message, Location, AtNear string
	Fingerprint               string
	District                  string
	State, Decision           string // labels, when reviewed
}

// HTML writes report.html, one self-contained file that needs no network
// and stays small (a few MB) at any size of plan set:
//
//   - a header with the plan set, asof, run date, the --only layer (the
//     findings then concern that layer only), baseline, decisions and
//     inputs;
//   - a map of the layers (a muted colour per level, context points small
//     and light) and the findings (coloured by severity, or by review
//     state with a baseline) that zooms and pans (wheel, drag, buttons).
//     A patch smaller than minPatchPx across gets a marker of that size.
//     With more findings than the table lists, the map shows them as a
//     grid of counts with the listed ones on top;
//   - summaries by rule, severity, layer pair, district and, when
//     reviewed, by state and decision;
//   - the findings table (at most htmlRowCap rows: all findings in report
//     order when they fit, with a baseline new and updated ones first;
//     else errors first, then new and updated ones with a baseline, then
//     the largest), filtered by rule, severity,
//     district, state and decision; clicking a finding's number zooms the
//     map to it. # is the finding's place in report order, the same as
//     序号 in ledger.xlsx and the feature order of conflicts.geojson, which
//     hold every finding.
func HTML(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	s := summarize(r, fs)
	kinds := make([]string, len(fs))
	for i, f := range fs {
		kinds[i] = geometryKind(f)
	}
	rows := htmlRows(r, fs)
	plan := mapPlan{draw: map[int]bool{}, full: len(rows) == len(fs)}
	for _, i := range rows {
		plan.draw[i] = true
	}
	if !plan.full {
		plan.grid = true
	}
	page := htmlPage{
		Title:    clean(toolName(r)) + " report",
		CSP:      htmlCSP,
		Script:   template.JS(htmlScript),
		Totals:   s.totals(),
		Map:      newMap(r, fs, kinds, plan),
		Only:     clean(r.Only),
		Reviewed: reviewed(fs),
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
	fact("Run date", clean(r.Date))
	if r.Only != "" {
		fact("Only layer (--only)", clean(r.Only)+": only findings that involve this layer are reported")
	}
	if b := r.Baseline; b != nil {
		v := clean(b.Dir)
		if b.Date != "" {
			v += " (run of " + clean(b.Date) + ")"
		}
		fact("Baseline", v)
	}
	fact("Decisions", clean(r.Decisions))
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
		page.Map.ByState = r.Baseline != nil && page.Reviewed
		page.Map.Notes = append(page.Map.Notes, kindNotes(kinds)...)
		if plan.grid {
			page.Map.Notes = append(page.Map.Notes, "Every finding is counted in the grid ("+px(mapCellPx)+
				" px cells, coloured by their most severe finding, darker where there are more); the "+
				strconv.Itoa(len(rows))+" findings of the table are drawn on top. Zoom in to see them; conflicts.geojson in QGIS shows every patch.")
		}
	}
	for _, rc := range s.Rules {
		row := htmlRule{
			Name: clean(rc.Rule.Name), Title: clean(rc.Rule.Title), Severity: severityClass(rc.Rule.Severity),
			Count: rc.Count, AreaM2: metres(rc.AreaM2), AreaHa: hectares(rc.AreaM2),
		}
		row.ruleHelp(rc.Rule)
		page.Rules = append(page.Rules, row)
	}
	page.Severity = []htmlCount{{"error", s.Errors}, {"warning", s.Warnings}, {"info", s.Infos}}
	if s.Absent > 0 {
		page.Severity = append(page.Severity, htmlCount{"resolved since the baseline (absent, not in the totals)", s.Absent})
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
	if byState, byDecision := reviewCounts(r, fs); byState != nil || byDecision != nil {
		for _, st := range []string{rules.StateNew, rules.StateUpdated, rules.StateUnchanged, rules.StateAbsent} {
			if byState != nil {
				page.States = append(page.States, htmlCount{(&rules.Review{State: st}).StateLabelZH() + " " + st, byState[st]})
			}
		}
		for _, d := range []string{rules.DecisionAccepted, rules.DecisionToFix, rules.DecisionUnderReview} {
			page.Decisions = append(page.Decisions, htmlCount{rules.DecisionLabelsZH[d] + " " + d, byDecision[d]})
		}
		page.Decisions = append(page.Decisions, htmlCount{"无 none", byDecision["none"]}, htmlCount{"已豁免 waived (accepted, not expired)", byDecision["waived"]})
	}
	drawn := map[int]bool{}
	if page.Map != nil {
		for _, p := range page.Map.Patches {
			drawn[p.N] = true
		}
	}
	filterValues := map[string]map[string]bool{}
	addValue := func(key, v string) {
		if v == "" {
			return
		}
		if filterValues[key] == nil {
			filterValues[key] = map[string]bool{}
		}
		filterValues[key][v] = true
	}
	for _, i := range rows {
		hf := newHTMLFinding(i, fs[i], drawn[i+1])
		addValue("rule", hf.Rule)
		addValue("severity", hf.Severity)
		addValue("district", hf.District)
		addValue("state", hf.State)
		addValue("decision", hf.Decision)
		page.Findings = append(page.Findings, hf)
	}
	for _, k := range []struct{ key, label string }{
		{"rule", "Rule"}, {"severity", "Severity"}, {"district", "District 区县"}, {"state", "State 状态"}, {"decision", "Decision 处理状态"},
	} {
		if len(filterValues[k.key]) > 0 {
			opts := make([]string, 0, len(filterValues[k.key]))
			for v := range filterValues[k.key] {
				opts = append(opts, v)
			}
			slices.Sort(opts)
			page.Filters = append(page.Filters, htmlFilter{Key: k.key, Label: k.label, Options: opts})
		}
	}
	if !plan.full {
		page.TableNote = fmt.Sprintf("The table lists %d of the %d findings: errors first, then warnings and info", len(rows), len(fs))
		if r.Baseline != nil {
			page.TableNote += "; within each, new and updated ones before the rest"
		}
		page.TableNote += "; then the largest. Every finding is in conflicts.geojson (open it in QGIS) and ledger.xlsx, where 序号 is the # here."
		largest := slices.Clone(rows)
		slices.SortStableFunc(largest, func(a, b int) int { return cmp.Compare(fs[b].AreaM2, fs[a].AreaM2) })
		for _, i := range largest[:min(20, len(largest))] {
			if fs[i].AreaM2 > 0 {
				page.Largest = append(page.Largest, newHTMLFinding(i, fs[i], drawn[i+1]))
			}
		}
	}
	if err := htmlTemplate.Execute(w, page); err != nil {
		return fmt.Errorf("report: writing HTML: %w", err)
	}
	return nil
}

func newHTMLFinding(i int, f rules.Finding, onMap bool) htmlFinding {
	hf := htmlFinding{
		N:           i + 1,
		OnMap:       onMap,
		Severity:    severityClass(f.Severity),
		Class:       findingClass(f),
		Rule:        clean(f.Rule),
		Subject:     clean(f.Subject()),
		Classes:     clean(strings.Join(f.Classes, " × ")),
		Measure:     measure(f),
		Message:     clean(message(f)),
		Location:    clean(location(f)),
		Fingerprint: f.Fingerprint(),
		District:    clean(f.District),
	}
	if f.At != nil {
		hf.AtNear = "at or near " + degrees(f.At[0]) + " " + degrees(f.At[1])
	}
	if rv := f.Review; rv != nil {
		hf.State = rv.StateLabelZH()
		hf.Decision = "无"
		if rv.Decision != nil {
			hf.Decision = cmp.Or(rules.DecisionLabelsZH[rv.Decision.Status], clean(rv.Decision.Status))
			if rv.Decision.Expired {
				hf.Decision += " (expired)"
			}
		}
	}
	return hf
}

// htmlRows are the findings the table lists, as indices into fs: all in
// report order when they fit (with a baseline, new and updated ones
// first, resolved ones last), else the htmlRowCap first by severity, then
// (with a baseline) new and updated before the rest, then area or length,
// largest first.
func htmlRows(r *rules.Result, fs []rules.Finding) []int {
	rows := make([]int, len(fs))
	for i := range rows {
		rows[i] = i
	}
	rank := func(f rules.Finding) int {
		if r.Baseline == nil || f.Review == nil {
			return 0
		}
		switch f.Review.State {
		case rules.StateNew, rules.StateUpdated:
			return 0
		case rules.StateAbsent:
			return 2
		}
		return 1
	}
	if len(fs) <= htmlRowCap {
		// All of them, in report order; with a baseline what the revision
		// introduced or changed first.
		slices.SortStableFunc(rows, func(a, b int) int { return cmp.Compare(rank(fs[a]), rank(fs[b])) })
		return rows
	}
	slices.SortStableFunc(rows, func(a, b int) int {
		fa, fb := fs[a], fs[b]
		return cmp.Or(
			cmp.Compare(fb.Severity, fa.Severity),
			cmp.Compare(rank(fa), rank(fb)),
			cmp.Compare(fb.AreaM2, fa.AreaM2),
			cmp.Compare(fb.LengthM, fa.LengthM),
		)
	})
	return rows[:htmlRowCap]
}

// kindNotes say how the findings that are not drawn as patches are shown,
// in the words of conflicts.geojson's geometry_kind.
func kindNotes(kinds []string) []string {
	n := map[string]int{}
	for _, k := range kinds {
		n[k]++
	}
	var notes []string
	if c := n[kindMarker]; c > 0 {
		notes = append(notes, plural(c, "finding")+" at a point or along a line "+isAre(c)+" drawn as such (a round marker or band in conflicts.geojson, geometry_kind marker).")
	}
	if c := n[kindEnvelope]; c > 0 {
		notes = append(notes, plural(c, "finding")+" with an invalid geometry "+isAre(c)+" drawn as it is (its bounding box in conflicts.geojson, geometry_kind envelope).")
	}
	if c := n[kindExtent]; c > 0 {
		notes = append(notes, plural(c, "finding")+" concern"+map[bool]string{true: "s", false: ""}[c == 1]+" whole layers (layer-level) and "+isAre(c)+
			" not drawn; conflicts.geojson gives each the extent of its layers (geometry_kind extent).")
	}
	return notes
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

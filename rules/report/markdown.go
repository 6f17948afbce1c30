package report

import (
	"bufio"
	"cmp"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/plancheck/plancheck/rules"
)

// Markdown writes report.md: title, plan set and asof, the inputs, a
// summary by rule (count, m², ha), by layer pair and by district, then
// the findings grouped by rule, rules with errors first, within the
// bounds a pull-request comment sets (markdownChars). User text is
// cleaned and escaped so it cannot break a table or inject markup.
func Markdown(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	s := summarize(r, fs)
	b := bufio.NewWriter(w)
	written := 0 // characters, as GitHub counts a comment's length
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
			written += utf8.RuneCountInString(p)
		}
		b.WriteString("\n")
		written++
	}
	row := func(cells ...string) {
		line(mdRow(cells...))
	}
	// fits says whether n more characters, with reserve kept for what
	// must follow, stay within markdownChars.
	fits := func(n, reserve int) bool { return written+n+reserve <= markdownChars }

	title := md(toolName(r)) + " report"
	if r.PlanSet != "" {
		title += ": " + md(r.PlanSet)
	}
	line("# ", title)
	line()
	if r.PlanSet != "" {
		line("- Plan set: ", md(r.PlanSet))
	}
	if r.Asof != 0 {
		line("- As of: ", strconv.Itoa(r.Asof))
	}
	if r.Command != "" {
		line("- Command: ", md(r.Command))
	}
	tool := md(toolName(r))
	if r.Version != "" {
		tool += " " + md(r.Version)
	}
	line("- Tool: ", tool)
	line("- Minimum area: ", metres(r.MinAreaM2), " m²")
	if r.Date != "" {
		line("- Date: ", md(r.Date))
	}
	if r.Only != "" {
		line("- Only findings involving layer: **", md(r.Only), "** (the rest of the set is not reported)")
	}
	if r.Baseline != nil {
		base := md(r.Baseline.Dir)
		if r.Baseline.Date != "" {
			base += " (" + md(r.Baseline.Date) + ")"
		}
		line("- Baseline: ", base)
	}
	if r.Decisions != "" {
		line("- Decisions: ", md(r.Decisions))
	}
	line("- Result: **", s.totals(), "**")
	line()

	line("## Inputs")
	line()
	if len(r.Inputs) == 0 {
		line("No inputs.")
	} else {
		row("Layer", "Level", "File", "Features", "SHA-256")
		row("---", "---", "---", "---:", "---")
		for _, in := range r.Inputs {
			row(md(in.Layer), md(in.Level), md(in.File), strconv.Itoa(in.Features), md(in.SHA256))
		}
	}
	line()

	line("## Summary")
	line()
	line("### By rule")
	line()
	row("Rule", "Title", "Severity", "Findings", "Area (m²)", "Area (ha)")
	row("---", "---", "---", "---:", "---:", "---:")
	for _, rc := range s.Rules {
		row(md(rc.Rule.Name), md(rc.Rule.Title), rc.Rule.Severity.String(), strconv.Itoa(rc.Count), metres(rc.AreaM2), hectares(rc.AreaM2))
	}
	line()
	line("### By layer pair")
	line()
	if len(s.Pairs) == 0 {
		line("No findings.")
	} else {
		row("Layers", "Findings", "Area (m²)", "Area (ha)")
		row("---", "---:", "---:", "---:")
		for k, p := range s.Pairs {
			if k == markdownSummaryRows {
				line()
				line("… and ", plural(len(s.Pairs)-k, "more layer pair"), " (all in report.html).")
				break
			}
			row(md(strings.Join(p.Layers, " × ")), strconv.Itoa(p.Count), metres(p.AreaM2), hectares(p.AreaM2))
		}
	}
	line()
	if ds := districtRows(r); len(ds) > 0 {
		line("### By district (按区县统计)")
		line()
		row("District 区县", "Rule", "Findings", "Area (ha)", "Share of district (%)")
		row("---", "---", "---:", "---:", "---:")
		for k, d := range ds {
			if k == markdownSummaryRows {
				line()
				line("… and ", plural(len(ds)-k, "more row"), " (all in statistics.csv).")
				break
			}
			row(md(d.District), md(d.Rule), strconv.Itoa(d.Count), d.AreaHa, d.Share)
		}
		line()
	}

	if reviewed(fs) {
		reviewSections(line, row, fits, r, fs, s)
		line(s.totals())
		return b.Flush()
	}
	line("## Findings")
	line()
	if len(fs) == 0 {
		line("No findings.")
		line()
	}
	// Number findings in report order (as in report.html), then group them.
	byRule := map[string][]int{}
	for i, f := range fs {
		byRule[f.Rule] = append(byRule[f.Rule], i)
	}
	// What each rule's section takes when its findings are only counted,
	// and so what the sections after a rule need at least (tail).
	// Rules with errors come first, so what is left out is the least
	// severe.
	type section struct {
		heading string
		idx     []int
		worst   rules.Severity
	}
	var sections []section
	for _, rc := range s.Rules {
		if idx := byRule[rc.Rule.Name]; len(idx) > 0 {
			heading := md(rc.Rule.Name)
			if rc.Rule.Title != "" && rc.Rule.Title != rc.Rule.Name {
				heading += ": " + md(rc.Rule.Title)
			}
			worst := fs[idx[0]].Severity // fs is sorted most severe first
			sections = append(sections, section{heading, idx, worst})
		}
	}
	slices.SortStableFunc(sections, func(a, b section) int { return cmp.Compare(b.worst, a.worst) })
	counted := func(sec section) string {
		return "### " + sec.heading + "\n\n" + plural(len(sec.idx), "finding") + markdownElsewhere + "\n\n"
	}
	tail := make([]int, len(sections)+1)
	tail[len(sections)] = utf8.RuneCountInString(s.totals()) + 1
	for k := len(sections) - 1; k >= 0; k-- {
		tail[k] = tail[k+1] + utf8.RuneCountInString(counted(sections[k]))
	}
	const more = len("\n… and 1000000 more findings") + len(markdownElsewhere) + 2
	head := mdRow("#", "Severity", "Features", "Classes", "Area (m²)", "Length (m)", "Location", "Message") + "\n" +
		mdRow("---:", "---", "---", "---", "---:", "---:", "---", "---") + "\n"
	shown, full := 0, false
	for n, sec := range sections {
		var rows []string
		for _, i := range sec.idx {
			f := fs[i]
			rows = append(rows, mdRow(strconv.Itoa(i+1), f.Severity.String(), md(f.Subject()), md(strings.Join(f.Classes, " × ")),
				metres(f.AreaM2), metres(f.LengthM), mdLocation(f), md(message(f))))
			if len(rows) == markdownRows {
				break
			}
		}
		heading := "### " + sec.heading + "\n\n"
		if full || shown >= markdownRows || !fits(utf8.RuneCountInString(heading+head+rows[0])+1+more, tail[n+1]) {
			full = true
			b.WriteString(counted(sec))
			written += utf8.RuneCountInString(counted(sec))
			continue
		}
		line("### ", sec.heading)
		line()
		b.WriteString(head)
		written += utf8.RuneCountInString(head)
		for k, text := range rows {
			if shown >= markdownRows || !fits(utf8.RuneCountInString(text)+1+more, tail[n+1]) {
				full = true
				line()
				line("… and ", plural(len(sec.idx)-k, "more finding"), markdownElsewhere)
				break
			}
			shown++
			line(text)
		}
		if !full && len(rows) < len(sec.idx) {
			full = true
			line()
			line("… and ", plural(len(sec.idx)-len(rows), "more finding"), markdownElsewhere)
		}
		line()
	}
	line(s.totals())
	return b.Flush()
}

// mdRow is a Markdown table row of cells already escaped.
func mdRow(cells ...string) string {
	return "| " + strings.Join(cells, " | ") + " |"
}

// markdownElsewhere says where the findings report.md leaves out are.
const markdownElsewhere = " (listed in report.json, conflicts.geojson and ledger.xlsx)."

// mdEscaper escapes Markdown and HTML syntax in cleaned user text: the
// backslash itself, emphasis, strikethrough, code spans, links, table
// pipes and raw HTML (as entities). No user text starts a line, so line-start
// syntax (headings, lists) needs no escape.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`,
	"`", "\\`",
	"*", `\*`,
	"_", `\_`,
	"[", `\[`,
	"]", `\]`,
	"|", `\|`,
	"~", `\~`,
	"<", "&lt;",
	">", "&gt;",
	"&", "&amp;",
)

// md cleans user text and escapes it for a Markdown table cell or heading.
func md(s string) string {
	return mdEscaper.Replace(clean(s))
}

// report.md is what a pull-request comment or a job summary shows: a
// comment holds 65,536 characters. It lists at most markdownRows findings
// and stops listing before its length passes markdownChars (leaving room
// for a bot's own words around it), and the summaries by layer pair and
// by district show at most markdownSummaryRows rows each; the full lists
// are in report.json, conflicts.geojson, the ledger and statistics.csv.
const (
	markdownRows        = 200
	markdownChars       = 60_000
	markdownSummaryRows = 60
)

// mdLocation is "file:line; at or near lon lat" (Markdown only: strict
// renderers drop inline HTML such as <br>).
func mdLocation(f rules.Finding) string {
	loc := md(location(f))
	if f.At != nil {
		if loc != "" {
			loc += "; "
		}
		loc += "at or near " + degrees(f.At[0]) + " " + degrees(f.At[1])
	}
	return loc
}

func reviewed(fs []rules.Finding) bool {
	for _, f := range fs {
		if f.Review != nil {
			return true
		}
	}
	return false
}

// reviewSections lists findings the way a pull-request comment should
// read them: what the revision introduced or changed first, then what it
// resolved, then what decisions waive, and the unchanged legacy only as
// counts by rule.
func reviewSections(line func(...string), row func(...string), fits func(n, reserve int) bool, r *rules.Result, fs []rules.Finding, s summary) {
	var fresh, resolved, waived, rest []int
	for i, f := range fs {
		rv := f.Review
		switch {
		case rv == nil:
			rest = append(rest, i)
		case rv.State == rules.StateAbsent:
			resolved = append(resolved, i)
		case rv.Waived:
			waived = append(waived, i)
		case r.Baseline == nil || rv.State == rules.StateNew || rv.State == rules.StateUpdated:
			fresh = append(fresh, i)
		default:
			rest = append(rest, i)
		}
	}
	if r.Baseline != nil {
		counts := map[string]int{}
		for _, f := range fs {
			if f.Review != nil {
				counts[f.Review.State]++
			}
		}
		line("## Compared with the baseline")
		line()
		row("New 新增", "Updated 变化", "Unchanged 持续", "Resolved 已消除", "Waived 已豁免")
		row("---:", "---:", "---:", "---:", "---:")
		row(strconv.Itoa(counts[rules.StateNew]), strconv.Itoa(counts[rules.StateUpdated]), strconv.Itoa(counts[rules.StateUnchanged]),
			strconv.Itoa(counts[rules.StateAbsent]), strconv.Itoa(len(waived)))
		line()
	}
	// reserve is at least what the sections after a table take: each
	// remaining table's heading, header and closing count, the unchanged
	// counts by rule and the totals.
	reserve := func(tablesAfter int) int {
		n := tablesAfter*(2*len(markdownElsewhere)+400) + 200 + utf8.RuneCountInString(s.totals())
		if len(rest) > 0 {
			n += 300
			for _, rc := range s.Rules {
				n += utf8.RuneCountInString(rc.Rule.Name) + 16
			}
		}
		return n
	}
	const more = len("\n… and 1000000 more findings") + len(markdownElsewhere) + 2
	shown, full := 0, false
	table := func(title string, idx []int, withDecision bool, tablesAfter int) {
		line("## ", title)
		line()
		if len(idx) == 0 {
			line("None.")
			line()
			return
		}
		head := []string{"#", "Rule", "Severity", "State", "Features", "Area (m²)", "First seen", "Location", "Message"}
		align := []string{"---:", "---", "---", "---", "---", "---:", "---", "---", "---"}
		if withDecision {
			head = append(head, "Decision", "Basis 依据", "Opinion 处理意见")
			align = append(align, "---", "---", "---")
		}
		row(head...)
		row(align...)
		for k, i := range idx {
			f := fs[i]
			cells := reviewCells(f, i, withDecision)
			if full || shown >= markdownRows || !fits(utf8.RuneCountInString(mdRow(cells...))+1+more, reserve(tablesAfter)) {
				full = true
				line()
				line("… and ", plural(len(idx)-k, "more finding"), markdownElsewhere)
				break
			}
			shown++
			row(cells...)
		}
		line()
	}
	if r.Baseline != nil {
		table("New and updated findings (新增 / 变化)", fresh, true, 2)
		table("Resolved since the baseline (已消除)", resolved, false, 1)
	} else {
		table("Findings", fresh, true, 1)
	}
	table("Waived by decisions (已豁免)", waived, true, 0)
	if len(rest) > 0 {
		line("## Unchanged findings (持续)")
		line()
		byRule := map[string]int{}
		for _, i := range rest {
			byRule[fs[i].Rule]++
		}
		row("Rule", "Findings")
		row("---", "---:")
		for _, rc := range s.Rules {
			if n := byRule[rc.Rule.Name]; n > 0 {
				row(md(rc.Rule.Name), strconv.Itoa(n))
			}
		}
		line()
		line("Listed one by one in report.json, conflicts.geojson and ledger.xlsx.")
		line()
	}
}

// reviewCells is the row of finding i (in report order) in a table of
// reviewSections.
func reviewCells(f rules.Finding, i int, withDecision bool) []string {
	state := f.Review.State
	if f.Review.PreviousFeatures != nil {
		state += " (was " + strings.Join(f.Review.PreviousFeatures, ", ") + ")"
	}
	cells := []string{strconv.Itoa(i + 1), md(f.Rule), f.Severity.String(), md(state), md(f.Subject()),
		metres(f.AreaM2), md(f.Review.FirstSeen), mdLocation(f), md(message(f))}
	if withDecision {
		d := f.Review.Decision
		status, basis, opinion := "", "", ""
		if d != nil {
			status = d.Status
			if d.Expired {
				status += " (expired " + d.Expires + ")"
			}
			basis, opinion = d.Basis, d.Opinion
		}
		cells = append(cells, md(status), md(basis), md(opinion))
	}
	return cells
}

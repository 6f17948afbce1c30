package report

import (
	"bufio"
	"io"
	"strconv"
	"strings"

	"github.com/plancheck/plancheck/rules"
)

// Markdown writes report.md: title, plan set and asof, the inputs, a
// summary by rule (count, m², ha) and by layer pair, then the findings
// grouped by rule. User text is cleaned and escaped so it cannot break a
// table or inject markup.
func Markdown(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	s := summarize(r, fs)
	b := bufio.NewWriter(w)
	line := func(parts ...string) {
		for _, p := range parts {
			b.WriteString(p)
		}
		b.WriteString("\n")
	}
	row := func(cells ...string) {
		line("| " + strings.Join(cells, " | ") + " |")
	}

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
		for _, p := range s.Pairs {
			row(md(strings.Join(p.Layers, " × ")), strconv.Itoa(p.Count), metres(p.AreaM2), hectares(p.AreaM2))
		}
	}
	line()
	if ds := districtRows(r); len(ds) > 0 {
		line("### By district (按区县统计)")
		line()
		row("District 区县", "Rule", "Findings", "Area (ha)", "Share of district (%)")
		row("---", "---", "---:", "---:", "---:")
		for _, d := range ds {
			row(md(d.District), md(d.Rule), strconv.Itoa(d.Count), d.AreaHa, d.Share)
		}
		line()
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
	for _, rc := range s.Rules {
		idx := byRule[rc.Rule.Name]
		if len(idx) == 0 {
			continue
		}
		heading := md(rc.Rule.Name)
		if rc.Rule.Title != "" && rc.Rule.Title != rc.Rule.Name {
			heading += ": " + md(rc.Rule.Title)
		}
		line("### ", heading)
		line()
		row("#", "Severity", "Features", "Classes", "Area (m²)", "Length (m)", "Location", "Message")
		row("---:", "---", "---", "---", "---:", "---:", "---", "---")
		for _, i := range idx {
			f := fs[i]
			loc := md(location(f))
			if f.At != nil {
				if loc != "" {
					loc += "<br>"
				}
				loc += "at or near " + degrees(f.At[0]) + " " + degrees(f.At[1])
			}
			row(strconv.Itoa(i+1), f.Severity.String(), md(f.Subject()), md(strings.Join(f.Classes, " × ")),
				metres(f.AreaM2), metres(f.LengthM), loc, md(message(f)))
		}
		line()
	}
	line(s.totals())
	return b.Flush()
}

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

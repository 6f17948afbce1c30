package report

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/plancheck/plancheck/rules"
)

// Text writes a human summary: a header, one line per finding
//
//	error  construction-on-basic-farmland  changsha-master#R-12 × land-use#F-3  1234.50 m²  <message>  [file:line]
//
// then the count and area per rule, and a closing line such as
// "12 findings: 5 errors, 7 warnings".
func Text(w io.Writer, r *rules.Result) error {
	if r == nil {
		return ErrNilResult
	}
	fs := sortedFindings(r)
	s := summarize(r, fs)
	b := bufio.NewWriter(w)

	head := []string{clean(toolName(r))}
	if r.Version != "" {
		head[0] += " " + clean(r.Version)
	}
	if r.Command != "" {
		head = append(head, clean(r.Command))
	}
	if r.PlanSet != "" {
		head = append(head, clean(r.PlanSet))
	}
	if r.Asof != 0 {
		head = append(head, "asof "+strconv.Itoa(r.Asof))
	}
	if r.MinAreaM2 != 0 {
		head = append(head, "min area "+metres(r.MinAreaM2)+" m²")
	}
	b.WriteString(strings.Join(head, "  ") + "\n")
	for _, in := range r.Inputs {
		b.WriteString("  " + clean(in.Layer) + "  " + clean(in.Level) + "  " + clean(in.File) + "  " + plural(in.Features, "feature") + "\n")
	}
	if len(fs) > 0 {
		b.WriteString("\n")
	}
	for _, f := range fs {
		line := []string{f.Severity.String(), clean(f.Rule), clean(f.Subject()), measure(f), clean(message(f))}
		if loc := location(f); loc != "" {
			line = append(line, "["+clean(loc)+"]")
		}
		b.WriteString(strings.Join(line, "  ") + "\n")
	}
	b.WriteString("\n")
	width := 0
	for _, rc := range s.Rules {
		width = max(width, utf8.RuneCountInString(clean(rc.Rule.Name)))
	}
	for _, rc := range s.Rules {
		name := clean(rc.Rule.Name)
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(name))
		b.WriteString(name + pad + "  " + plural(rc.Count, "finding") + "  " + metres(rc.AreaM2) + " m²\n")
	}
	b.WriteString(s.totals() + "\n")
	return b.Flush()
}

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
// "12 findings: 5 errors, 7 warnings". After a review step (a baseline or
// decisions) each line carries the finding's state after its severity
// ("new", "unchanged", "waived", "updated/to-fix"), and a last line counts
// the findings by state and the waived ones.
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
	if r.Only != "" {
		// Without it the list reads as the whole set's result.
		head = append(head, "only findings involving layer "+clean(r.Only))
	}
	b.WriteString(strings.Join(head, "  ") + "\n")
	for _, in := range r.Inputs {
		b.WriteString("  " + clean(in.Layer) + "  " + clean(in.Level) + "  " + clean(in.File) + "  " + plural(in.Features, "feature") + "\n")
	}
	if len(fs) > 0 {
		b.WriteString("\n")
	}
	for _, f := range fs {
		line := []string{f.Severity.String()}
		if tag := reviewTag(f.Review); tag != "" {
			line = append(line, tag)
		}
		line = append(line, clean(f.Rule), clean(f.Subject()), measure(f), clean(message(f)))
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
	if byState, byDecision := reviewCounts(r, fs); byState != nil || byDecision != nil {
		var parts []string
		if byState != nil {
			parts = append(parts, "since the baseline: "+strconv.Itoa(byState[rules.StateNew])+" new, "+strconv.Itoa(byState[rules.StateUpdated])+
				" updated, "+strconv.Itoa(byState[rules.StateUnchanged])+" unchanged, "+strconv.Itoa(byState[rules.StateAbsent])+" resolved")
		}
		parts = append(parts, strconv.Itoa(byDecision["waived"])+" waived by accepted decisions")
		b.WriteString(strings.Join(parts, "; ") + "\n")
	}
	return b.Flush()
}

// reviewTag is a finding's place in the review loop in one word or two:
// its state ("new", "unchanged", …) or "waived", and the status of a
// decision that does not waive it ("new/to-fix"); "" without review.
func reviewTag(rv *rules.Review) string {
	if rv == nil {
		return ""
	}
	if rv.Waived {
		return "waived"
	}
	tag := rv.State
	if d := rv.Decision; d != nil {
		status := clean(d.Status)
		if d.Expired {
			status += "(expired)"
		}
		if tag == "" {
			tag = status
		} else {
			tag += "/" + status
		}
	}
	return tag
}

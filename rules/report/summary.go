package report

import (
	"slices"
	"strconv"
	"strings"

	"github.com/plancheck/plancheck/rules"
)

// summary is the statistics every report shows: findings per rule, per
// severity and per layer pair (冲突类型 × 图层 statistics).
type summary struct {
	Rules    []ruleCount // ruleList order: r.Rules, then unlisted rules
	Pairs    []pairCount // sorted by layer names
	Errors   int
	Warnings int
	Infos    int
	Total    int
	Absent   int // baseline findings no longer found (not in Total)
}

type ruleCount struct {
	Rule   rules.RuleInfo
	Count  int
	AreaM2 float64
}

type pairCount struct {
	Layers []string
	Count  int
	AreaM2 float64
}

// summarize counts fs, which must be in sortedFindings order so that the
// area sums are added in a fixed order.
func summarize(r *rules.Result, fs []rules.Finding) summary {
	var s summary
	list := ruleList(r, fs)
	s.Rules = make([]ruleCount, len(list))
	at := make(map[string]int, len(list))
	for i, ri := range list {
		s.Rules[i].Rule = ri
		at[ri.Name] = i
	}
	pairs := map[string]*pairCount{}
	for _, f := range fs {
		if f.Review != nil && f.Review.State == rules.StateAbsent {
			// Gone since the baseline: listed, never counted as present.
			s.Absent++
			continue
		}
		s.Total++
		switch {
		case f.Severity >= rules.Error:
			s.Errors++
		case f.Severity == rules.Warning:
			s.Warnings++
		default:
			s.Infos++
		}
		rc := &s.Rules[at[f.Rule]]
		rc.Count++
		rc.AreaM2 += f.AreaM2

		key := strings.Join(f.Layers, "\x00")
		p := pairs[key]
		if p == nil {
			p = &pairCount{Layers: nonNil(f.Layers)}
			pairs[key] = p
		}
		p.Count++
		p.AreaM2 += f.AreaM2
	}
	for _, p := range pairs {
		s.Pairs = append(s.Pairs, *p)
	}
	slices.SortFunc(s.Pairs, func(a, b pairCount) int { return slices.Compare(a.Layers, b.Layers) })
	return s
}

// totals is the closing line, e.g. "12 findings: 5 errors, 7 warnings"
// (", 2 info" is added when there are info findings).
func (s summary) totals() string {
	if s.Total == 0 {
		return "0 findings"
	}
	t := plural(s.Total, "finding") + ": " + plural(s.Errors, "error") + ", " + plural(s.Warnings, "warning")
	if s.Infos > 0 {
		t += ", " + strconv.Itoa(s.Infos) + " info"
	}
	return t
}

// nonNil returns s, or an empty slice for nil, so JSON shows [] not null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

package rules

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
)

// Exclusion counts the features of a layer left out of the rules for one
// reason, named by the input rule that reports each of them.
type Exclusion struct {
	Reason string
	Count  int
}

// NewInput describes a loaded layer for reports, with its feature
// accounting: every feature read is either checked by the rules or
// excluded, and each excluded feature has a finding of the input rule
// named by its reason (geometry-invalid, geometry-null).
func NewInput(l *planning.Layer) Input {
	in := Input{Layer: l.Name, Level: string(l.Level), File: filepath.ToSlash(l.File), Features: len(l.Features), Read: len(l.Features), Accounted: true}
	if l.Data != nil {
		in.SHA256 = l.Data.SHA256
	}
	counts := map[string]int{}
	for i := range l.Features {
		if reason := exclusion(&l.Features[i]); reason != "" {
			counts[reason]++
		} else {
			in.Checked++
		}
	}
	for r, n := range counts {
		in.Excluded = append(in.Excluded, Exclusion{Reason: r, Count: n})
	}
	slices.SortFunc(in.Excluded, func(a, b Exclusion) int { return strings.Compare(a.Reason, b.Reason) })
	return in
}

// exclusion is why a feature takes part in no rule, "" when it does.
func exclusion(f *planning.Feature) string {
	switch {
	case f.Invalid:
		return RuleGeometryInvalid
	case f.Geometry == nil || geo.PointCount(f.Geometry) == 0:
		return RuleGeometryNull
	}
	return ""
}

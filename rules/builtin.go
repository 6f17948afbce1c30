package rules

import "github.com/plancheck/plancheck/geo"

// goRules lists the built-in rules written in Go, in report order: the
// ones a rules file cannot express.
func goRules() []*Rule {
	rs := []*Rule{GeometryInvalid, LayerOverlap, TimingHorizon, TimingPhase,
		InfrastructureContinuity, InfrastructureStandardMismatch, InfrastructureTimingMismatch, CoverageGap}
	return append(rs, inputErrorRules()...)
}

// lengthInside is the length of a's centre line inside b's footprint, for
// corridor findings; 0 when it cannot be computed.
func (p *Pass) lengthInside(a, b featureRef) float64 {
	sb, err := p.footprint(b)
	if err != nil {
		return 0
	}
	l, err := geo.LengthInside(a.feature().Geometry, sb)
	if err != nil {
		return 0
	}
	return l
}

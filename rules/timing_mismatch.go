package rules

import (
	"context"
	"fmt"
)

// InfrastructureTimingMismatch reports lines joined across a city border
// that are built at different times.
var InfrastructureTimingMismatch = &Rule{
	Name:     "infrastructure-timing-mismatch",
	Severity: Warning,
	Requires: []*Rule{crossBorderEnds.Rule},
	Settings: []Setting{StartYearGap},
	Doc: Doc{
		Title:   `joined lines are built at different times`,
		TitleZH: `跨市对接线路建设时序不一致`,
		Detects: `Reports a matched pair — an end point of city X's line near the X/Y border and the nearest line of the same class in Y's layers within the join tolerance — whose construction periods [start_year, end_year] do not overlap, or whose start years differ by more than 5 years (setting start_year_gap). A pair found from both sides is one finding; the message gives both periods.`,
		Why:     `A road Changsha opens in 2025 that Xiangtan continues only in 2035 ends in a field for ten years: the integration plan asks the cities to unify infrastructure timing (时序).`,
		Fix:     `Re-phase one of the two projects so that they are built together.`,
		TextZH:  `跨市对接线路建设时序不一致（建设期不重叠或开工年份相差超过 5 年），须统一建设时序。`,
	},
	Run: func(ctx context.Context, pass *Pass) error {
		ends, err := crossBorderEnds.Of(pass)
		if err != nil {
			return err
		}
		gap := pass.Setting(StartYearGap)
		for _, e := range matchedPairs(ends) {
			fx, fy := e.x.feature(), e.match.feature()
			disjoint := fx.HasStart && fx.HasEnd && fy.HasStart && fy.HasEnd && max(fx.Start, fy.Start) > min(fx.End, fy.End)
			apart := fx.HasStart && fy.HasStart && float64(abs(fx.Start-fy.Start)) > gap
			if !disjoint && !apart {
				continue
			}
			px, py := period(fx.Start, fx.HasStart, fx.End, fx.HasEnd), period(fy.Start, fy.HasStart, fy.End, fy.HasEnd)
			pass.Report(Finding{
				Layers:    []string{e.x.layer.Name, e.match.layer.Name},
				Features:  []string{fx.ID, fy.ID},
				Classes:   []string{fx.RawClass, fy.RawClass},
				Geometry:  e.point,
				Message:   fmt.Sprintf("%s#%s (built %s) joins %s#%s (built %s) at the border with %s: the periods do not overlap or start more than %g years apart", e.x.layer.Name, fx.ID, px, e.match.layer.Name, fy.ID, py, cityName(e.y), gap),
				MessageZH: fmt.Sprintf("%s#%s（建设期 %s）与 %s#%s（建设期 %s）在与%s交界处对接，建设时序不一致", e.x.layer.Name, fx.ID, px, e.match.layer.Name, fy.ID, py, cityName(e.y)),
				Location:  Location{File: e.x.layer.File, Line: fx.Line},
			})
		}
		return nil
	},
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func period(start int, hasStart bool, end int, hasEnd bool) string {
	s, e := "?", "?"
	if hasStart {
		s = fmt.Sprint(start)
	}
	if hasEnd {
		e = fmt.Sprint(end)
	}
	return s + "–" + e
}

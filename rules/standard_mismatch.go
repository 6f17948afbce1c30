package rules

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// WidthMismatchRatio is how much two joined lines' widths may differ,
// relative to the wider one.
const WidthMismatchRatio = 0.10

// InfrastructureStandardMismatch reports lines joined across a city border
// whose width or grade differ.
var InfrastructureStandardMismatch = &Rule{
	Name:     "infrastructure-standard-mismatch",
	Severity: Warning,
	Requires: []*Rule{crossBorderEnds.Rule},
	Doc: Doc{
		Title:   `joined lines differ in width or grade at a border`,
		TitleZH: `跨市对接线路宽度或等级不一致`,
		Detects: `Reports a matched pair — an end point of city X's line near the X/Y border and the nearest line of the same class in Y's layers within the join tolerance — whose corridor widths (width_m, or the class default) differ by more than 10% of the wider one, or whose grade properties (e.g. 快速路/主干路/次干路, or kV for power lines), where both give one, differ. A pair found from both sides is one finding. The geometry is X's end point.`,
		Why:     `A four-lane road that meets a two-lane road at a city border becomes a bottleneck; the integration plan asks the cities to unify their infrastructure standards.`,
		Fix:     `Agree the width and grade of the joined line in both cities' plans.`,
		TextZH:  `跨市对接线路宽度相差超过 10% 或等级不一致，须统一基础设施规划实施标准。`,
	},
	Run: func(ctx context.Context, pass *Pass) error {
		ends, err := crossBorderEnds.Of(pass)
		if err != nil {
			return err
		}
		for _, e := range matchedPairs(ends) {
			fx, fy := e.x.feature(), e.match.feature()
			var why, whyZH []string
			if wx, wy := fx.WidthM, fy.WidthM; math.Abs(wx-wy) > WidthMismatchRatio*math.Max(wx, wy) {
				why = append(why, fmt.Sprintf("width %g m vs %g m", wx, wy))
				whyZH = append(whyZH, fmt.Sprintf("宽度 %g 米与 %g 米", wx, wy))
			}
			if fx.Grade != "" && fy.Grade != "" && fx.Grade != fy.Grade {
				why = append(why, fmt.Sprintf("grade %s vs %s", fx.Grade, fy.Grade))
				whyZH = append(whyZH, fmt.Sprintf("等级 %s 与 %s", fx.Grade, fy.Grade))
			}
			if len(why) == 0 {
				continue
			}
			pass.Report(Finding{
				Layers:    []string{e.x.layer.Name, e.match.layer.Name},
				Features:  []string{fx.ID, fy.ID},
				Classes:   []string{fx.RawClass, fy.RawClass},
				Geometry:  e.point,
				Message:   fmt.Sprintf("%s#%s joins %s#%s at the border with %s but their standards differ: %s", e.x.layer.Name, fx.ID, e.match.layer.Name, fy.ID, cityName(e.y), strings.Join(why, "; ")),
				MessageZH: fmt.Sprintf("%s#%s 与 %s#%s 在与%s交界处对接，但标准不一致：%s", e.x.layer.Name, fx.ID, e.match.layer.Name, fy.ID, cityName(e.y), strings.Join(whyZH, "；")),
				Location:  Location{File: e.x.layer.File, Line: fx.Line},
			})
		}
		return nil
	},
}

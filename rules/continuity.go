package rules

import (
	"context"
	"fmt"

	"github.com/plancheck/plancheck/planning"
)

// InfrastructureContinuity reports infrastructure lines that stop at a
// city border with no continuation in the neighbouring city's plan.
var InfrastructureContinuity = &Rule{
	Name:     "infrastructure-continuity",
	Severity: Warning,
	Requires: []*Rule{crossBorderEnds.Rule},
	Settings: []Setting{JoinTolerance},
	Doc: Doc{
		Title:   `infrastructure line stops at a city border`,
		TitleZH: `基础设施线路在市界处断头`,
		Detects: `Reports an end point of a line in city X's infrastructure layer that lies within the boundary reach (default 300 m) of the X/Y border — the part of X's boundary within the reach of Y's polygon, Y another boundary feature whose city has an infrastructure layer in the set — where no line of the same class in Y's layers passes within the join tolerance (default 500 m) of that end point. The geometry is the end point; the message names Y. Ends far from any border, and lines that cross the border within one layer, are no finding.`,
		Why:     `The 长株潭 integration asks the three cities to join their infrastructure plans seamlessly: a road Changsha plans to its edge that Xiangtan does not continue ends in a field.`,
		Fix:     `Add the continuation to Y's plan, or agree to end the line elsewhere. Tolerances are settings in plancheck.yaml (boundary_reach_m, join_tolerance_m).`,
		TextZH:  `城市边界处基础设施线路断头：X 市规划线路端点位于与 Y 市交界处（默认 300 米内），而 Y 市同类线路在衔接容差（默认 500 米）内无对接，须协调衔接。`,
	},
	Run: func(ctx context.Context, pass *Pass) error {
		ends, err := crossBorderEnds.Of(pass)
		if err != nil {
			return err
		}
		join := pass.Setting(JoinTolerance)
		for _, e := range ends {
			if e.match != nil {
				continue
			}
			f := e.x.feature()
			pass.Report(Finding{
				Layers:    []string{e.x.layer.Name},
				Features:  []string{f.ID},
				Classes:   []string{f.RawClass},
				Geometry:  e.point,
				Message:   fmt.Sprintf("%s#%s (%s) ends at the border with %s at %.6f %.6f; no %s line of %s's plan within %.0f m", e.x.layer.Name, f.ID, classLabel(f), cityName(e.y), e.point[0], e.point[1], f.Class.Code, cityName(e.y), join),
				MessageZH: fmt.Sprintf("%s#%s（%s）在与%s交界处断头（%.6f %.6f），%s规划在 %.0f 米内无同类线路衔接", e.x.layer.Name, f.ID, classLabel(f), cityName(e.y), e.point[0], e.point[1], cityName(e.y), join),
				Location:  Location{File: e.x.layer.File, Line: f.Line},
			})
		}
		return nil
	},
}

// cityName names a boundary feature in messages: "长沙市 (430100)".
func cityName(f *planning.Feature) string {
	switch {
	case f.Name != "" && f.Code != "":
		return f.Name + " (" + f.Code + ")"
	case f.Name != "":
		return f.Name
	}
	return f.Code
}

package rules

import (
	"context"
	"fmt"

	"github.com/plancheck/plancheck/planning"
)

// HorizonGapYears is how far apart two layers' target years may be before
// timing-horizon reports the pair.
const HorizonGapYears = 5

// TimingHorizon reports expired plans and plans whose horizons disagree.
var TimingHorizon = &Rule{
	Name:     "timing-horizon",
	Severity: Warning,
	Doc: Doc{
		Title:   `plan horizon expired or out of step`,
		TitleZH: `规划期限已过期或不一致`,
		Detects: `Reports each layer whose horizon target year is before the as-of year (an expired plan), and each pair of layers (any levels) whose target years differ by more than 5 years. The finding names the layers; it has no features and no area.`,
		Why:     `Plans drawn for different horizons cannot agree on what is built when: a city plan to 2030 beside a land-use plan that ended in 2020 has no land grant behind its later phases.`,
		Fix:     `Revise the expired plan, or align the horizons in the next plan round.`,
		TextZH:  `规划期限已过期，或两图层规划目标年相差超过 5 年，须修编或统一规划期限。`,
	},
	Run: func(ctx context.Context, pass *Pass) error {
		set := pass.Set
		var timed []*planning.Layer
		for _, l := range set.Layers {
			if l.HasHorizon && l.Horizon.Target > 0 {
				timed = append(timed, l)
			}
		}
		manifest := planning.ManifestName
		if set.Manifest != nil && set.Manifest.Path != "" {
			manifest = set.Manifest.File()
		}
		for _, l := range timed {
			if l.Horizon.Target < set.Asof {
				pass.Report(Finding{
					Layers:    []string{l.Name},
					Message:   fmt.Sprintf("layer %s (%s) plan horizon ended in %d, before the as-of year %d", l.Name, l.Level, l.Horizon.Target, set.Asof),
					MessageZH: fmt.Sprintf("图层 %s 规划期限 %d 年已早于检查年份 %d 年（规划已过期）", l.Name, l.Horizon.Target, set.Asof),
					Location:  Location{File: manifest, Line: l.Line},
				})
			}
		}
		for i, a := range timed {
			for _, b := range timed[i+1:] {
				gap := a.Horizon.Target - b.Horizon.Target
				if gap < 0 {
					gap = -gap
				}
				if gap > HorizonGapYears {
					pass.Report(Finding{
						Layers:    []string{a.Name, b.Name},
						Message:   fmt.Sprintf("horizons of %s (target %d) and %s (target %d) differ by %d years (more than %d)", a.Name, a.Horizon.Target, b.Name, b.Horizon.Target, gap, HorizonGapYears),
						MessageZH: fmt.Sprintf("图层 %s（目标年 %d）与 %s（目标年 %d）规划期限相差 %d 年，超过 %d 年", a.Name, a.Horizon.Target, b.Name, b.Horizon.Target, gap, HorizonGapYears),
						Location:  Location{File: manifest, Line: a.Line},
					})
				}
			}
		}
		return nil
	},
}

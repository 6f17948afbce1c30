package rules

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/plancheck/plancheck/geo"
)

// CoverageGap reports the land of a territory that a zoning layer leaves
// uncovered (无缝无叠: layer-overlap finds the overlaps).
var CoverageGap = &Rule{
	Name:     "coverage-gap",
	Severity: Warning,
	Doc: Doc{
		Title:   `layer leaves part of its territory uncovered`,
		TitleZH: `图层未覆盖其声明的范围`,
		Detects: `For each layer that declares covers: BOUNDARY-LAYER in plancheck.yaml (optionally covers_codes: [...] to pick boundary features by code), reports each connected part of (the covered boundary features − the layer's features) of at least the minimum area; the finding's geometry is the gap polygon and its area the gap's. A layer that covers nothing of its territory is one finding per connected part of the territory, not one per missing parcel. Invalid features of the layer cover nothing.`,
		Why:     `Land-use and zoning layers must cover their territory without gaps or overlaps (无缝无叠): land in a gap has no use and escapes every statistic and every rule.`,
		Fix:     `Digitise the missing land, or correct the boundary the layer declares it covers.`,
		TextZH:  `图层未完全覆盖其声明覆盖的行政或规划范围（无缝）。缺口图斑为未覆盖部分，请补充用地或更正覆盖范围。`,
	},
	Run: runCoverageGap,
}

func runCoverageGap(ctx context.Context, pass *Pass) error {
	for _, l := range pass.Set.Layers {
		if l.Covers == "" {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		boundary := pass.Set.Layer(l.Covers)
		if boundary == nil {
			return fmt.Errorf("layer %s covers %q, which is not a layer of the set", l.Name, l.Covers)
		}
		var territory, cover []*geo.Shape
		for i, f := range boundary.Features {
			if f.Geometry == nil || f.Invalid || (len(l.CoversCodes) > 0 && !slices.Contains(l.CoversCodes, f.Code)) {
				continue
			}
			s, err := pass.shape(boundary, i)
			if err != nil {
				return err
			}
			territory = append(territory, s)
		}
		location := Location{File: filepath.ToSlash(l.File)}
		if len(territory) == 0 {
			pass.Report(Finding{
				Layers:    []string{l.Name, boundary.Name},
				Message:   fmt.Sprintf("layer %s covers %s, but covers_codes %v pick no valid feature of it: nothing to check", l.Name, boundary.Name, l.CoversCodes),
				MessageZH: fmt.Sprintf("图层 %s 声明覆盖 %s，但 covers_codes %v 未选中任何有效范围要素，无法检查", l.Name, boundary.Name, l.CoversCodes),
				Location:  location,
			})
			continue
		}
		for i, f := range l.Features {
			if f.Geometry == nil || f.Invalid || f.IsLine() {
				continue
			}
			s, err := pass.shape(l, i)
			if err != nil {
				return err
			}
			cover = append(cover, s)
		}
		gaps, err := geo.Gaps(territory, cover)
		if err != nil {
			return fmt.Errorf("layer %s against %s: %w", l.Name, boundary.Name, err)
		}
		for _, g := range gaps {
			area := geo.AreaM2(g)
			if area < pass.Options.MinAreaM2 || area <= 0 {
				continue
			}
			at := g[0][0]
			pass.Report(Finding{
				Layers:   []string{l.Name, boundary.Name},
				AreaM2:   area,
				Geometry: g,
				At:       &at,
				Message: fmt.Sprintf("layer %s leaves %s m² of %s uncovered at or near %s %s", l.Name, formatM2(area), boundary.Name,
					strconv.FormatFloat(at[0], 'f', 7, 64), strconv.FormatFloat(at[1], 'f', 7, 64)),
				MessageZH: fmt.Sprintf("图层 %s 未覆盖 %s 范围内 %s 平方米（缺口）", l.Name, boundary.Name, formatM2(area)),
				Location:  location,
			})
		}
	}
	return nil
}

// formatM2 writes an area in m² as findings' messages do: to 0.01 m².
func formatM2(a float64) string { return strconv.FormatFloat(math.Round(a*100)/100, 'f', 2, 64) }

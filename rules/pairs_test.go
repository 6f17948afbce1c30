package rules

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
)

// TestOverlapsVisitsEachPairOnce compares the streaming pair search with a
// plain restatement: every candidate in loop order, a pair met before in
// the other order dropped. Selections share layers on both sides, as in
// layer-overlap and in rules files that pick the same layer twice.
func TestOverlapsVisitsEachPairOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	square := func() orb.Geometry {
		x, y := 113+rng.Float64()*0.01, 28+rng.Float64()*0.01
		d := 0.001 + rng.Float64()*0.002
		return orb.Polygon{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}
	}
	layers := make([]*planning.Layer, 3)
	for i := range layers {
		l := &planning.Layer{LayerSpec: planning.LayerSpec{Name: fmt.Sprintf("L%d", i)}}
		for j := 0; j < 60; j++ {
			l.Features = append(l.Features, planning.NewFeature(j, fmt.Sprint(j), square()))
		}
		layers[i] = l
	}
	pick := func(l *planning.Layer, every int) selection {
		s := selection{layer: l}
		for i := range l.Features {
			if i%every != 0 {
				s.features = append(s.features, i)
			}
		}
		return s
	}
	cases := map[string][2][]selection{
		"self join":        {{pick(layers[0], 1000)}, {pick(layers[0], 1000)}},
		"shared and other": {{pick(layers[0], 3), pick(layers[1], 1000)}, {pick(layers[1], 2), pick(layers[0], 5), pick(layers[2], 1000)}},
		"disjoint sides":   {{pick(layers[0], 1000)}, {pick(layers[1], 1000)}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			as, bs := c[0], c[1]
			var want []candidate
			seen := map[candidate]bool{}
			for _, bsel := range bs {
				for _, asel := range as {
					for _, i := range asel.features {
						for _, j := range bsel.features {
							a, b := featureRef{asel.layer, i}, featureRef{bsel.layer, j}
							if a == b || !a.feature().Geometry.Bound().Intersects(b.feature().Geometry.Bound()) {
								continue
							}
							if seen[candidate{b, a}] {
								continue
							}
							seen[candidate{a, b}] = true
							want = append(want, candidate{a, b})
						}
					}
				}
			}
			pass := &Pass{Set: &planning.PlanSet{Layers: layers}, Rule: &Rule{Name: "t"}, shapes: newShapeCache(), Options: Options{Workers: 3}}
			got, err := pass.overlaps(context.Background(), as, bs, 0)
			if err != nil {
				t.Fatal(err)
			}
			var gotPairs []candidate
			for _, o := range got {
				gotPairs = append(gotPairs, candidate{o.a, o.b})
			}
			// Touching-only pairs have no patch; keep the expected pairs
			// whose squares really overlap.
			var wantOverlapping []candidate
			for _, c := range want {
				if slices.Contains(gotPairs, c) {
					wantOverlapping = append(wantOverlapping, c)
					continue
				}
				ba, bb := c.a.feature().Geometry.Bound(), c.b.feature().Geometry.Bound()
				if w, h := min(ba.Max[0], bb.Max[0])-max(ba.Min[0], bb.Min[0]), min(ba.Max[1], bb.Max[1])-max(ba.Min[1], bb.Min[1]); w > 1e-9 && h > 1e-9 {
					t.Errorf("pair %s#%s–%s#%s overlaps but was not found", c.a.layer.Name, c.a.feature().ID, c.b.layer.Name, c.b.feature().ID)
				}
			}
			if len(wantOverlapping) < 20 {
				t.Fatalf("only %d overlapping pairs: the case tests too little", len(wantOverlapping))
			}
			if !slices.Equal(gotPairs, wantOverlapping) {
				t.Errorf("got %d pairs, want %d in the same order", len(gotPairs), len(wantOverlapping))
			}
		})
	}
}

func TestExpandPlaceholdersMatchesReplacer(t *testing.T) {
	pairs := []string{"{a.layer}", "land-use", "{a.id}", "LU-1", "{area_m2}", "12.50", "{b.id}", ""}
	for _, s := range []string{
		"",
		"no placeholders",
		"{a.layer}#{a.id} overlaps {b.id} by {area_m2} m²",
		"{unknown} {a.id}{a.id} {{a.id}} {a.ida} {a.",
		"建设用地 {a.layer}#{a.id}（面积 {area_m2} 平方米）",
	} {
		if got, want := expandPlaceholders(s, pairs), strings.NewReplacer(pairs...).Replace(s); got != want {
			t.Errorf("expandPlaceholders(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestOverlayFailureIsAFinding (issue 13/18): a pair the overlay engine
// cannot overlay no longer aborts the whole check with an error naming
// neither feature; it is a finding of the rule naming both, and the other
// pairs are still checked.
func TestOverlayFailureIsAFinding(t *testing.T) {
	saved := overlapShapes
	t.Cleanup(func() { overlapShapes = saved })
	overlapShapes = func(a, b *geo.Shape) (orb.Geometry, float64, error) {
		if a.Bound.Min[0] == 113.0 || b.Bound.Min[0] == 113.0 {
			return nil, 0, errors.New("side location conflict")
		}
		return saved(a, b)
	}
	// A and B overlap (the overlay fails on them); C and D overlap too.
	//
	//	A ┌──┐        C ┌──┐
	//	  │ B┼─┐        │ D┼─┐
	//	  └──┼─┘        └──┼─┘
	sq := func(lon float64) string {
		return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%[1]g,28],[%[2]g,28],[%[2]g,28.01],[%[1]g,28.01],[%[1]g,28]]]}`, lon, lon+0.01)
	}
	layer := `{"type":"FeatureCollection","features":[` + "\n" +
		`{"type":"Feature","id":"A","properties":{"class":"R2"},"geometry":` + sq(113.0) + "},\n" +
		`{"type":"Feature","id":"B","properties":{"class":"R2"},"geometry":` + sq(113.005) + "},\n" +
		`{"type":"Feature","id":"C","properties":{"class":"R2"},"geometry":` + sq(113.1) + "},\n" +
		`{"type":"Feature","id":"D","properties":{"class":"R2"},"geometry":` + sq(113.105) + "}\n]}\n"
	dir := t.TempDir()
	for name, data := range map[string]string{
		"plancheck.yaml": "name: t\nasof: 2026\nlayers:\n  - {name: cm, level: city-master, file: cm.geojson}\n",
		"cm.geojson":     layer,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := planning.LoadPlanSet(context.Background(), filepath.Join(dir, "plancheck.yaml"), planning.ManifestOptions{}, 2026)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Run(context.Background(), set, []*Rule{LayerOverlap}, Options{MinAreaM2: 1})
	if err != nil {
		t.Fatalf("the check stopped: %v", err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Subject()+": "+f.Message)
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], "cm#A × cm#B: cm#A and cm#B could not be overlaid (side location conflict); layer-overlap did not check this pair") ||
		!strings.HasPrefix(got[1], "cm#C × cm#D: ") || !strings.Contains(got[1], "overlap by") {
		t.Errorf("findings %q", got)
	}
}

// TestDifferenceFailureIsAFinding: the same for a rule of relation
// outside, whose difference fails on one feature.
func TestDifferenceFailureIsAFinding(t *testing.T) {
	saved := differenceShapes
	t.Cleanup(func() { differenceShapes = saved })
	differenceShapes = func(a *geo.Shape, others []*geo.Shape) (orb.Geometry, error) {
		if a.Bound.Min[0] == 113.0 {
			return nil, errors.New("side location conflict")
		}
		return saved(a, others)
	}
	sq := func(lon float64) string {
		return fmt.Sprintf(`{"type":"Polygon","coordinates":[[[%[1]g,28],[%[2]g,28],[%[2]g,28.01],[%[1]g,28.01],[%[1]g,28]]]}`, lon, lon+0.01)
	}
	dir := t.TempDir()
	for name, data := range map[string]string{
		"plancheck.yaml": "name: t\nasof: 2026\nlayers:\n  - {name: cm, level: city-master, file: cm.geojson}\n  - {name: lu, level: land-use, file: lu.geojson}\n",
		"cm.geojson": `{"type":"FeatureCollection","features":[` + "\n" +
			`{"type":"Feature","id":"A","properties":{"class":"R2"},"geometry":` + sq(113.0) + "},\n" +
			`{"type":"Feature","id":"C","properties":{"class":"R2"},"geometry":` + sq(113.1) + "}\n]}\n",
		"lu.geojson": `{"type":"FeatureCollection","features":[` + "\n" +
			`{"type":"Feature","id":"Z","properties":{"class":"030"},"geometry":` + sq(113.105) + "}\n]}\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := planning.LoadPlanSet(context.Background(), filepath.Join(dir, "plancheck.yaml"), planning.ManifestOptions{}, 2026)
	if err != nil {
		t.Fatal(err)
	}
	rule := YAMLRule{Name: "outside-zone", Severity: "warning", Doc: ParseDoc("outside\n\nparcels outside zones"), Relation: RelationOutside,
		A: []Selector{{Level: planning.CityMaster}}, B: []Selector{{Level: planning.LandUse}}}.Rule()
	fs, err := Run(context.Background(), set, []*Rule{rule}, Options{MinAreaM2: 1})
	if err != nil {
		t.Fatalf("the check stopped: %v", err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Subject()+": "+f.Message)
	}
	if len(got) != 2 || !strings.HasPrefix(got[0], "cm#A: the part of cm#A outside side b could not be computed (side location conflict); outside-zone did not check this feature") ||
		!strings.HasPrefix(got[1], "cm#C: ") {
		t.Errorf("findings %q", got)
	}
}

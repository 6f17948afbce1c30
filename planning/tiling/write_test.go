package tiling

import (
	"context"
	"io"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
)

const czt = "../../fixtures/czt/plancheck.yaml"

// Every feature of the bundled set reaches at least one tile, with its
// original index, line and id, for any number of tiles; each tile's
// manifest records the tiling and the inputs.
func TestWriteCoversEveryFeature(t *testing.T) {
	ctx := context.Background()
	whole, err := planning.LoadPlanSet(ctx, czt, planning.ManifestOptions{}, 2026)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 3, 7} {
		out := t.TempDir()
		sum, err := Write(ctx, czt, n, out, planning.ManifestOptions{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]map[int]bool{}
		for k := 0; k < n; k++ {
			set, info, err := Load(ctx, filepath.Join(out, "tile-"+itoa(k), "plancheck.yaml"), planning.ManifestOptions{}, 2026)
			if err != nil {
				t.Fatalf("n=%d tile %d: %v", n, k, err)
			}
			if info.Index != k || info.Count != n || len(info.Inputs) != len(whole.Layers) {
				t.Fatalf("n=%d tile %d: info %+v", n, k, info)
			}
			for li, l := range set.Layers {
				if info.Inputs[li].SHA256 != whole.Layers[li].Data.SHA256 || info.Inputs[li].Features != len(whole.Layers[li].Features) {
					t.Errorf("n=%d: input %+v does not describe %s (%s, %d features)", n, info.Inputs[li], l.Name, whole.Layers[li].Data.SHA256, len(whole.Layers[li].Features))
				}
				if seen[l.Name] == nil {
					seen[l.Name] = map[int]bool{}
				}
				for _, f := range l.Features {
					o := whole.Layers[li].Features[f.Index]
					if o.ID != f.ID || o.Line != f.Line || o.RawClass != f.RawClass {
						t.Fatalf("n=%d tile %d %s: feature %d is %s line %d, originally %s line %d", n, k, l.Name, f.Index, f.ID, f.Line, o.ID, o.Line)
					}
					seen[l.Name][f.Index] = true
				}
			}
		}
		for _, l := range whole.Layers {
			if len(seen[l.Name]) != len(l.Features) {
				t.Errorf("n=%d: %s: %d of %d features reached a tile", n, l.Name, len(seen[l.Name]), len(l.Features))
			}
		}
		if len(sum.Tiles) != n || sum.HaloDeg <= 0 {
			t.Errorf("n=%d: summary %+v", n, sum)
		}
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// The tile step's boxes, read from the text, hold the geometry the reader
// builds (projected layers included).
func TestFeatureBoundsHoldTheGeometry(t *testing.T) {
	ctx := context.Background()
	whole, err := planning.LoadPlanSet(ctx, czt, planning.ManifestOptions{}, 2026)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range whole.Layers {
		err := eachFeature(ctx, l.LayerSpec, io.Discard, func(f rawFeature) error {
			g := l.Features[f.index].Geometry
			if g == nil || l.Features[f.index].Invalid {
				return nil
			}
			b := geo.BoundOf(g)
			if !f.ok || f.bound.Min[0] > b.Min[0]+1e-9 || f.bound.Min[1] > b.Min[1]+1e-9 || f.bound.Max[0] < b.Max[0]-1e-9 || f.bound.Max[1] < b.Max[1]-1e-9 {
				t.Errorf("%s feature %d: box %v does not hold %v", l.Name, f.index, f.bound, b)
			}
			if f.line != l.Features[f.index].Line {
				t.Errorf("%s feature %d: line %d, reader says %d", l.Name, f.index, f.line, l.Features[f.index].Line)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/paulmach/orb"
)

func square(x0, y0, x1, y1 float64) orb.Ring {
	return orb.Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}
}

func mustShape(t testing.TB, g orb.Geometry) *Shape {
	t.Helper()
	s, err := NewShape(g)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkOverlap compares Overlap (with its exact shortcuts) with the overlay
// engine alone.
func checkOverlap(t *testing.T, name string, a, b orb.Geometry) {
	t.Helper()
	sa, sb := mustShape(t, a), mustShape(t, b)
	_, got, err := Overlap(sa, sb)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	ref, err := overlayIntersection(mustShape(t, a), mustShape(t, b))
	if err != nil {
		t.Fatalf("%s: overlay: %v", name, err)
	}
	want := 0.0
	if ref != nil {
		want = AreaM2(ref)
	}
	if math.Abs(got-want) > 1e-6*math.Max(1, want) {
		t.Errorf("%s: Overlap area %.6f m², overlay %.6f m² (quickRelate %v)", name, got, want, quickRelate(sa, sb))
	}
}

// Sketches use a 0.01° grid near Changsha (113°E, 28°N).
func TestOverlapShortcuts(t *testing.T) {
	const x, y, d = 113.0, 28.0, 0.01
	big := orb.Polygon{square(x, y, x+4*d, y+4*d)}
	withHole := orb.Polygon{square(x, y, x+4*d, y+4*d), square(x+d, y+d, x+3*d, y+3*d).Clone()}
	// The hole must run clockwise to be a proper hole; orientation does
	// not matter to the overlay but keep the data realistic.
	for i, j := 0, len(withHole[1])-1; i < j; i, j = i+1, j-1 {
		withHole[1][i], withHole[1][j] = withHole[1][j], withHole[1][i]
	}
	tests := []struct {
		name string
		a, b orb.Geometry
		rel  quickRel
	}{
		// +--+--+
		// |A |B |   share an edge: interiors disjoint
		// +--+--+
		{"shared edge", orb.Polygon{square(x, y, x+d, y+d)}, orb.Polygon{square(x+d, y, x+2*d, y+d)}, relDisjoint},
		// B's edge is split at A's corner (T junction)
		{"T junction", orb.Polygon{square(x, y, x+d, y+d)}, orb.Polygon{square(x+d, y-d, x+2*d, y+2*d)}, relDisjoint},
		{"identical", orb.Polygon{square(x, y, x+d, y+d)}, orb.Polygon{square(x, y, x+d, y+d)}, relAInB},
		{"inside", orb.Polygon{square(x+d, y+d, x+2*d, y+2*d)}, big, relAInB},
		{"inside touching edge", orb.Polygon{square(x, y, x+d, y+d)}, big, relAInB},
		{"contains", big, orb.Polygon{square(x+d, y+d, x+2*d, y+2*d)}, relBInA},
		{"fills the hole", orb.Polygon{square(x+d, y+d, x+3*d, y+3*d)}, withHole, relDisjoint},
		{"inside the hole", orb.Polygon{square(x+1.5*d, y+1.5*d, x+2*d, y+2*d)}, withHole, relDisjoint},
		{"across the hole", orb.Polygon{square(x+0.5*d, y+0.5*d, x+2*d, y+2*d)}, withHole, relUnknown},
		{"partial", orb.Polygon{square(x, y, x+2*d, y+2*d)}, orb.Polygon{square(x+d, y+d, x+3*d, y+3*d)}, relUnknown},
		{"multipolygon part inside", orb.MultiPolygon{{square(x+d, y+d, x+2*d, y+2*d)}, {square(x+5*d, y, x+6*d, y+d)}}, big, relUnknown},
		{"far", orb.Polygon{square(x, y, x+d, y+d)}, orb.Polygon{square(x+2*d, y, x+3*d, y+d)}, relDisjoint},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := quickRelate(mustShape(t, tt.a), mustShape(t, tt.b)); got != tt.rel {
				t.Errorf("quickRelate = %v, want %v", got, tt.rel)
			}
			checkOverlap(t, tt.name, tt.a, tt.b)
		})
	}
}

// TestOverlapMatchesOverlay compares the shortcut with the overlay engine
// on every candidate pair of the bundled plan set's layers, and on random
// jittered neighbours, so a wrong shortcut cannot hide.
func TestOverlapMatchesOverlay(t *testing.T) {
	dir := filepath.Join("..", "fixtures", "czt", "layers")
	var layers [][]*Shape
	for _, name := range []string{"changsha-master.geojson", "land-use.geojson", "green-heart.geojson", "regional.geojson"} {
		l := readTestLayer(t, filepath.Join(dir, name), ReadOptions{GeometryTypes: []string{"Polygon", "MultiPolygon"}})
		var shapes []*Shape
		for _, f := range l.Features {
			if !f.Invalid && f.Geometry != nil {
				shapes = append(shapes, mustShape(t, f.Geometry))
			}
		}
		layers = append(layers, shapes)
	}
	pairs, shortcut := 0, 0
	for i := range layers {
		for j := i; j < len(layers); j++ {
			bounds := make([]orb.Bound, len(layers[j]))
			for k, s := range layers[j] {
				bounds[k] = s.Bound
			}
			ix := NewIndex(bounds)
			for ai, a := range layers[i] {
				if testing.Short() && ai%5 != 0 {
					continue
				}
				ix.Search(a.Bound, func(k int) {
					b := layers[j][k]
					if i == j && k == ai {
						return
					}
					pairs++
					if quickRelate(a, b) != relUnknown {
						shortcut++
					}
					checkOverlap(t, "fixture pair", a.Geometry, b.Geometry)
				})
			}
		}
	}
	t.Logf("%d candidate pairs, %d decided without overlay", pairs, shortcut)
	if pairs == 0 {
		t.Fatal("no pairs compared")
	}

	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 300; n++ {
		// Random quadrilaterals around a shared centre, some nested.
		c := orb.Point{113 + rng.Float64()*0.01, 28 + rng.Float64()*0.01}
		quad := func(r float64) orb.Polygon {
			ring := orb.Ring{}
			for k := 0; k < 4; k++ {
				ang := float64(k)*math.Pi/2 + rng.Float64()*0.5
				rr := r * (0.5 + rng.Float64())
				ring = append(ring, orb.Point{c[0] + rr*math.Cos(ang), c[1] + rr*math.Sin(ang)})
			}
			ring = append(ring, ring[0])
			return orb.Polygon{ring}
		}
		checkOverlap(t, "random", quad(0.002), quad(0.002*rng.Float64()*3))
	}
}

// TestInteriorPoint: the point quickRelate stands for a part's interior
// must lie strictly inside it, for stars (spans split by spikes), polygons
// with holes across the middle line and slivers.
func TestInteriorPoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	star := func(cx, cy, r float64, n int) orb.Ring {
		var ring orb.Ring
		for i := 0; i < n; i++ {
			a := 2 * math.Pi * float64(i) / float64(n)
			rr := r * (0.2 + 0.8*rng.Float64())
			ring = append(ring, orb.Point{cx + rr*math.Cos(a), cy + rr*math.Sin(a)})
		}
		return append(ring, ring[0])
	}
	cases := map[string]orb.Polygon{
		"sliver":           {{{113, 28}, {113.01, 28}, {113.01, 28.0000000001}, {113, 28}}},
		"hole across mid":  {{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, {{1, 4}, {1, 6}, {9, 6}, {9, 4}, {1, 4}}},
		"vertex on mid y":  {{{0, 0}, {4, 5}, {0, 10}, {10, 5}, {0, 0}}},
		"hole on the span": {{{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}}, {{4, 4}, {4, 6}, {6, 6}, {6, 4}, {4, 4}}},
	}
	for i := 0; i < 200; i++ {
		cases[fmt.Sprintf("star %d", i)] = orb.Polygon{star(113+rng.Float64(), 28+rng.Float64(), 1e-3, 5+rng.IntN(40))}
	}
	for name, p := range cases {
		pt, ok := interiorPoint(p)
		if !ok {
			if name == "sliver" {
				continue // left to the overlay: allowed, never a wrong point
			}
			t.Errorf("%s: no interior point", name)
			continue
		}
		if pointInPolygon(pt, p) != 1 {
			t.Errorf("%s: %v is not strictly inside", name, pt)
		}
	}
}

func TestBoundOfMatchesOrb(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for i := 0; i < 500; i++ {
		var mp orb.MultiPolygon
		for k := 0; k < 1+rng.IntN(3); k++ {
			var r orb.Ring
			for j := 0; j < 3+rng.IntN(20); j++ {
				r = append(r, orb.Point{rng.Float64()*2 - 1, rng.Float64()*2 - 1})
			}
			mp = append(mp, orb.Polygon{append(r, r[0])})
		}
		for _, g := range []orb.Geometry{mp[0], mp, orb.LineString(mp[0][0])} {
			if got, want := BoundOf(g), g.Bound(); got != want {
				t.Fatalf("BoundOf(%v) = %v, want %v", g, got, want)
			}
		}
	}
}

package tiling

import (
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

func randomCentres(r *rand.Rand, n int) []orb.Point {
	pts := make([]orb.Point, n)
	for i := range pts {
		// Clustered, with repeats: real sets are dense in cities and
		// share centres (stacked features).
		c := orb.Point{112 + r.Float64()*2, 27 + r.Float64()*2}
		if i > 0 && r.IntN(5) == 0 {
			c = pts[r.IntN(i)]
		}
		pts[i] = c
	}
	return pts
}

// Every point belongs to exactly one tile, for any n; the split is
// balanced; the same centres always give the same tiles.
func TestSplitPartition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 7, 16} {
		centres := randomCentres(r, 5000)
		tiles, err := Split(centres, n)
		if err != nil || len(tiles) != n {
			t.Fatalf("n=%d: %d tiles, %v", n, len(tiles), err)
		}
		counts := make([]int, n)
		for _, c := range centres {
			owners := 0
			for i, b := range tiles {
				if b.Contains(c) {
					owners++
					counts[i]++
				}
			}
			if owners != 1 {
				t.Fatalf("n=%d: centre %v has %d owners", n, c, owners)
			}
		}
		for i, c := range counts {
			if want := len(centres) / n; c < want/2 || c > want*2 {
				t.Errorf("n=%d: tile %d holds %d centres, want about %d", n, i, c, want)
			}
		}
		again, _ := Split(centres, n)
		for i := range tiles {
			if again[i] != tiles[i] {
				t.Fatalf("n=%d: tiles differ between two splits", n)
			}
		}
	}
	if _, err := Split(nil, 0); err == nil {
		t.Error("0 tiles accepted")
	}
	tiles, err := Split(nil, 4)
	if err != nil || len(tiles) != 4 {
		t.Fatalf("empty set: %v %v", tiles, err)
	}
}

// FuzzOwnership: for random grids and pairs of boxes that meet, or whose
// gap is within the halo, the tile owning the pair's reference point is
// touched by both boxes widened by the halo, and exactly one tile owns it.
func FuzzOwnership(f *testing.F) {
	f.Add(uint64(1), uint8(7), 0.001)
	f.Add(uint64(42), uint8(16), 0.0)
	f.Fuzz(func(t *testing.T, seed uint64, n uint8, halo float64) {
		if n == 0 || halo < 0 || halo > 0.01 || halo != halo {
			return
		}
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		tiles, err := Split(randomCentres(r, 200), int(n%32)+1)
		if err != nil {
			t.Fatal(err)
		}
		for range 200 {
			a := randomBox(r)
			b := randomBox(r)
			// Move b to within the halo of a on a random side.
			if r.IntN(2) == 0 {
				dx := a.Max[0] - b.Min[0] + r.Float64()*halo
				b.Min[0] += dx
				b.Max[0] += dx
			}
			if b.Min[0] > a.Max[0]+halo || a.Min[0] > b.Max[0]+halo || b.Min[1] > a.Max[1]+halo || a.Min[1] > b.Max[1]+halo {
				continue
			}
			p := PairPoint(a, b)
			owners := 0
			for _, tb := range tiles {
				if tb.Contains(p) {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("reference point %v has %d owners", p, owners)
			}
			tb := tiles[Owner(tiles, p)]
			if !tb.Touches(a, halo) || !tb.Touches(b, halo) {
				t.Fatalf("pair %v %v: owner tile %v misses a feature (halo %v)", a, b, tb, halo)
			}
		}
	})
}

func randomBox(r *rand.Rand) orb.Bound {
	x, y := 112+r.Float64()*2, 27+r.Float64()*2
	w, h := r.Float64()*0.1, r.Float64()*0.1
	return orb.Bound{Min: orb.Point{x, y}, Max: orb.Point{x + w, y + h}}
}

func TestHaloDegrees(t *testing.T) {
	// 1 km at 28°N: a degree of longitude is about 98 km there.
	if h := HaloDegrees(1000, 28); h < 1000/98_400.0 || h > 1000/97_000.0 {
		t.Errorf("1 km at 28°N = %v°", h)
	}
}

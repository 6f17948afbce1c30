package geo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"
)

// starRing returns a closed ring of n vertices around c: angles in order,
// radii between rMin and rMax, coordinates rounded to step (a coarse step
// makes collinear edges, shared vertices and touching rings common).
func starRing(rng *rand.Rand, c orb.Point, n int, rMin, rMax, step float64, clockwise bool) orb.Ring {
	r := make(orb.Ring, 0, n+1)
	for k := 0; k < n; k++ {
		a := 2 * math.Pi * (float64(k) + 0.8*rng.Float64()) / float64(n)
		if clockwise {
			a = -a
		}
		rad := rMin + (rMax-rMin)*rng.Float64()
		p := orb.Point{c[0] + rad*math.Cos(a), c[1] + rad*math.Sin(a)}
		if step > 0 {
			p = orb.Point{math.Round(p[0]/step) * step, math.Round(p[1]/step) * step}
		}
		r = append(r, p)
	}
	return append(r, r[0])
}

// randomHoledPolygon is a shell with one to four holes: most inside it,
// some crossing it, touching it or each other, or nested.
func randomHoledPolygon(rng *rand.Rand) orb.Polygon {
	steps := []float64{0, 1e-7, 0.5, 1}
	step := steps[rng.IntN(len(steps))]
	center := orb.Point{112.9 + rng.Float64(), 28.2 + rng.Float64()}
	scale := 10.0
	if step < 0.5 {
		scale = 0.001 // a parcel in degrees
	}
	shell := starRing(rng, center, 5+rng.IntN(14), 6*scale, 10*scale, step*scale/10, false)
	poly := orb.Polygon{shell}
	for h := 1 + rng.IntN(4); h > 0; h-- {
		off := orb.Point{(rng.Float64()*2 - 1) * 8 * scale, (rng.Float64()*2 - 1) * 8 * scale}
		c := orb.Point{center[0] + off[0], center[1] + off[1]}
		poly = append(poly, starRing(rng, c, 3+rng.IntN(8), 0.5*scale, 3*scale, step*scale/10, true))
	}
	if rng.IntN(8) == 0 {
		// Near-parallel edges a few ulp apart, as in JTS misc/TestValid.xml.
		i := 1 + rng.IntN(len(shell)-2)
		shell[i][1] = math.Nextafter(shell[i-1][1], math.Inf(1))
	}
	return poly
}

// checkHoleCertificate fails when the certificate accepts a polygon that
// simplefeatures rejects. It reports whether the certificate accepted.
func checkHoleCertificate(t *testing.T, poly orb.Polygon) bool {
	t.Helper()
	rings, _ := solidRings(poly)
	if len(rings) < 2 {
		return false
	}
	for _, r := range rings {
		if msg, _ := ringValidity(r); msg.Message != "" {
			return false // polygonValidity never gets as far
		}
	}
	if !sfAcceptsHoles(rings) {
		return false
	}
	if err := sfPolygon(rings).Validate(); err != nil {
		t.Fatalf("certificate accepts %v, simplefeatures says %v", poly, err)
	}
	return true
}

func TestHoleCertificateAgreesWithSimplefeatures(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	accepted, tried := 0, 0
	for k := 0; k < 20000; k++ {
		poly := randomHoledPolygon(rng)
		tried++
		if checkHoleCertificate(t, poly) {
			accepted++
		}
	}
	// The test means something only if both outcomes are common.
	if accepted < tried/20 || accepted > tried*19/20 {
		t.Fatalf("certificate accepted %d of %d polygons; the generator no longer tests both ways", accepted, tried)
	}
	t.Logf("certificate accepted %d of %d random polygons with holes", accepted, tried)

	// The pinned case: a shell with edges 4e-15 apart is "nearly
	// self-intersecting" to simplefeatures; the certificate must defer.
	if sfAcceptsHoles(orb.Polygon{nearParallel, {{0, 50}, {10, 50}, {10, 60}, {0, 50}}}) {
		t.Error("certificate accepts the near-parallel shell")
	}
}

// FuzzHoleCertificate: whatever polygon with holes the bytes describe,
// the certificate accepts nothing simplefeatures rejects.
//
// Run with: go test ./geo -run '^$' -fuzz FuzzHoleCertificate -fuzztime 60s
func FuzzHoleCertificate(f *testing.F) {
	f.Add([]byte{0, 0, 20, 0, 20, 20, 0, 20, 255, 5, 5, 5, 10, 10, 10, 255, 12, 12, 12, 15, 15, 15}, uint8(3))
	f.Add([]byte{0, 0, 20, 0, 20, 20, 0, 20, 255, 0, 0, 5, 10, 10, 10}, uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, shift uint8) {
		// Byte pairs are vertices on a small grid (plus a tiny shift that
		// makes near-degenerate cases); 255 starts the next ring.
		var poly orb.Polygon
		ring := orb.Ring{}
		flush := func() {
			if len(ring) >= 3 {
				poly = append(poly, append(ring, ring[0]))
			}
			ring = orb.Ring{}
		}
		eps := float64(shift) * 1e-15
		for i := 0; i+1 < len(data) && len(poly) < 6; i += 2 {
			if data[i] == 255 {
				flush()
				i--
				continue
			}
			ring = append(ring, orb.Point{float64(data[i]) + eps*float64(i), float64(data[i+1])})
		}
		flush()
		checkHoleCertificate(t, poly)
	})
}

package geo

import (
	"bytes"
	"testing"

	"github.com/paulmach/orb"
)

// FuzzValidityRing cross-checks Validity's exact ring test against
// simplefeatures on rings with small integer coordinates (exact in
// floating point, so both must agree), which are full of the degenerate
// cases that matter: repeated points, collinear edges, spikes and
// touching vertices. It also checks that Validity does not panic on
// polygons with holes built the same way.
func FuzzValidityRing(f *testing.F) {
	for _, s := range []string{
		"\x00\x00\x05\x00\x05\x05\x00\x05",                 // square
		"\x00\x00\x05\x05\x05\x00\x00\x05",                 // bow-tie
		"\x00\x00\x05\x00\x05\x05\x05\x07\x05\x05",         // spike
		"\x00\x00\x04\x00\x02\x02\x04\x04\x00\x04\x02\x02", // hourglass touching at a vertex
		"\x00\x00\x00\x00\x05\x00\x05\x05",                 // repeated point
		"\x00\x00\x07\x07\x00\x07\x07\x00|\x01\x01\x02\x01\x02\x02",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var poly orb.Polygon
		for _, part := range bytes.Split(data, []byte("|")) {
			if len(part) > 64 {
				part = part[:64]
			}
			var r orb.Ring
			for i := 0; i+1 < len(part); i += 2 {
				r = append(r, orb.Point{float64(part[i] % 8), float64(part[i+1] % 8)})
			}
			if len(r) > 0 {
				r = append(r, r[0])
			}
			poly = append(poly, r)
		}
		msg, at := Validity(poly)
		if msg != "" && at != nil && !fullBound(poly).Contains(*at) {
			t.Errorf("%v: location %v outside the geometry", poly, *at)
		}
		if len(poly) != 1 || len(poly[0]) == 0 {
			return
		}
		sfErr := sfPolygon(poly).Validate()
		if (msg == "") != (sfErr == nil) {
			t.Errorf("%v: Validity %q, simplefeatures %v", poly, msg, sfErr)
		}
	})
}

package geo

import (
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/paulmach/orb"
)

// A geometry the source could not decode is that feature's geometry
// problem; the others are read.
func TestBuildLayerSourceProblem(t *testing.T) {
	recs := []Record{{Number: 1, Problem: Same("ring 1 is not closed")}, {Number: 2, Geometry: orb.Point{112.9, 28.2}}}
	l, err := BuildLayer(context.Background(), "x.shp", 2, func(i int) Record { return recs[i] }, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Problems) != 1 || l.Problems[0].Kind != ProblemGeometry || l.Problems[0].Line != 1 || !l.Features[0].Invalid || l.Features[1].Invalid {
		t.Errorf("problems %+v, features %+v", l.Problems, l.Features)
	}
}

// Every value a reader may hand over is written as JSON that reads back
// as the value (a number JSON cannot hold, as its text).
func TestAppendJSONValue(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want any
	}{
		{nil, nil}, {"a\"b\\c\n\x01\t", "a\"b\\c\n\x01\t"}, {int64(-3), -3.0}, {1.5, 1.5}, {math.NaN(), "NaN"},
		{math.Inf(-1), "-Inf"}, {true, true}, {"长沙", "长沙"}, {"\xff", "\ufffd"}, {int32(4), "4"},
	} {
		got := appendJSONValue(nil, tc.v)
		var back any
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("%#v → %s: not JSON: %v", tc.v, got, err)
			continue
		}
		if back != tc.want {
			t.Errorf("%#v → %s reads back as %#v, want %#v", tc.v, got, back, tc.want)
		}
	}
}

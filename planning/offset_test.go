package planning

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
)

func loadCZT(t *testing.T) *PlanSet {
	t.Helper()
	set, err := LoadPlanSet(context.Background(), filepath.Join("..", "fixtures", "czt", ManifestName), ManifestOptions{}, 2026)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// shiftLayer moves every vertex of a layer as tracing it on a shifted
// basemap would.
func shiftLayer(l *Layer, s geo.Shift) {
	move := func(p *orb.Point) { p[0], p[1] = s.FromWGS84(p[0], p[1]) }
	for i := range l.Features {
		switch g := l.Features[i].Geometry.(type) {
		case orb.Polygon:
			for _, r := range g {
				for k := range r {
					move(&r[k])
				}
			}
		case orb.MultiPolygon:
			for _, p := range g {
				for _, r := range p {
					for k := range r {
						move(&r[k])
					}
				}
			}
		case orb.LineString:
			for k := range g {
				move(&g[k])
			}
		}
	}
}

// shiftedCopy is a layer re-traced from l on a shifted basemap: the same
// linework, every vertex moved by the shift (the fixtures' layers share no
// linework with each other, as independent plans need not).
func shiftedCopy(l *Layer, s geo.Shift) *Layer {
	c := *l
	c.Name = l.Name + "-traced"
	c.Features = make([]Feature, len(l.Features))
	for i, f := range l.Features {
		f.Geometry = orb.Clone(f.Geometry)
		c.Features[i] = f
	}
	shiftLayer(&c, s)
	return &c
}

// withoutGCJCopy drops the bundled set's own GCJ-02 copy
// (zhuzhou-master-gcj), so that the cases below hold the one shift they
// make.
func withoutGCJCopy(set *PlanSet) *PlanSet {
	var keep []*Layer
	for _, l := range set.Layers {
		if l.Name != "zhuzhou-master-gcj" {
			keep = append(keep, l)
		}
	}
	set.Layers = keep
	return set
}

// A layer traced on a GCJ-02 or BD-09 basemap is found, and only it: the
// layer it shares its linework with sees the opposite offset.
func TestShiftSuspects(t *testing.T) {
	set := loadCZT(t)
	if got := shiftSuspects(set.Layers, "plancheck.yaml"); len(got) != 1 || got[0].Layer != "zhuzhou-master-gcj" || !strings.Contains(got[0].Message, "declare crs: GCJ-02") {
		for _, g := range got {
			t.Logf("%s: %s", g.Layer, g.Message)
		}
		t.Fatalf("the bundled set gives %d suspects, want only its GCJ-02 copy zhuzhou-master-gcj", len(got))
	}
	for _, tc := range []struct {
		layer string
		shift geo.Shift
	}{
		{"changsha-master", geo.ShiftGCJ02},
		{"land-use", geo.ShiftBD09},
		{"zhuzhou-master", geo.ShiftGCJ02},
	} {
		t.Run(tc.layer+" "+tc.shift.String(), func(t *testing.T) {
			set := withoutGCJCopy(loadCZT(t))
			traced := shiftedCopy(set.Layer(tc.layer), tc.shift)
			set.Layers = append(set.Layers, traced)
			got := shiftSuspects(set.Layers, "plancheck.yaml")
			if len(got) != 1 || got[0].Layer != traced.Name || got[0].Check != CheckCRS || !strings.Contains(got[0].Message, "declare crs: "+tc.shift.String()) {
				for _, g := range got {
					t.Logf("%s: %s", g.Layer, g.Message)
				}
				t.Fatalf("got %d suspects, want exactly %s as %s", len(got), tc.layer, tc.shift)
			}
			t.Log(got[0].Message)
		})
	}
}

func TestShiftSuspectsOneLayer(t *testing.T) {
	set := loadCZT(t)
	l := shiftedCopy(set.Layer("changsha-master"), geo.ShiftGCJ02)
	if got := shiftSuspects([]*Layer{l}, "plancheck.yaml"); len(got) != 0 {
		t.Errorf("a one-layer set gives %d suspects", len(got))
	}
}

// A copy moved by an offset that is not a basemap shift (a wrong false
// easting of 300 m) is no GCJ-02 suspect.
func TestShiftSuspectsOtherOffset(t *testing.T) {
	set := withoutGCJCopy(loadCZT(t))
	l := shiftedCopy(set.Layer("changsha-master"), geo.NoShift)
	for i := range l.Features {
		l.Features[i].Geometry = translate(l.Features[i].Geometry, 0.003, 0)
	}
	set.Layers = append(set.Layers, l)
	if got := shiftSuspects(set.Layers, "plancheck.yaml"); len(got) != 0 {
		t.Errorf("a 300 m offset is reported as a basemap shift: %s", got[0].Message)
	}
}

func translate(g orb.Geometry, dx, dy float64) orb.Geometry {
	switch g := g.(type) {
	case orb.Polygon:
		for _, r := range g {
			for k := range r {
				r[k][0] += dx
				r[k][1] += dy
			}
		}
	case orb.MultiPolygon:
		for _, p := range g {
			translate(p, dx, dy)
		}
	}
	return g
}

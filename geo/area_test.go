package geo

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/paulmach/orb"
)

// Reference values were computed with an independent implementation,
// pyproj 3.4.1 on PROJ 9.1.1 (Debian 12 python3-pyproj), whose Geod uses
// GeographicLib's C geodesic code, the same algorithm PostGIS uses for
// ST_Area(geography):
//
//	from pyproj import Geod
//	g = Geod(ellps="WGS84")
//	area, perimeter = g.polygon_area_perimeter(lons, lats)  # per ring
//	_, _, dist = g.inv(lon1, lat1, lon2, lat2)
//	g.line_length(lons, lats)
//
// Squares were laid out with g.fwd (east and north geodesics of the given
// side) and their corners rounded to 1e-9 degrees; the literals below are
// those rounded corners, so the areas differ slightly from the nominal size.
// Ring areas are written as pyproj printed them (repr); the expected area of
// a polygon is |outer| − Σ|holes|.

var (
	// square10m is 10 m × 10 m in Changsha.
	//
	//	(112.94, 28.230090234) +--+ (112.940101883, 28.230090234)
	//	                       |  |
	//	         (112.94, 28.23) +--+ (112.940101883, 28.23)
	square10m = orb.Ring{
		{112.94, 28.23}, {112.940101883, 28.23}, {112.940101883, 28.230090234},
		{112.94, 28.230090234}, {112.94, 28.23},
	}
	square10mArea = 100.00057251751423

	// square1km is 1 km × 1 km south-east of Changsha.
	square1km = orb.Ring{
		{112.95, 28.2}, {112.960185409, 28.199999621}, {112.960186265, 28.209023038},
		{112.95, 28.209023417}, {112.95, 28.2},
	}
	square1kmArea = 999999.9804181082

	// hole200m is a 200 m × 200 m hole inside square1km.
	hole200m = orb.Ring{
		{112.953, 28.203}, {112.955037139, 28.202999985}, {112.955037173, 28.204804668},
		{112.953, 28.204804684}, {112.953, 28.203},
	}
	hole200mArea = 40000.0008593168

	// irregular is a 12-gon of about 10 km² around Xiangtan, radii 1.46 to
	// 2.3 km at azimuths 7°, 37°, …, listed clockwise.
	irregular = orb.Ring{
		{112.942462139, 27.847823682}, {112.949591838, 27.841314356},
		{112.960464213, 27.837720249}, {112.957832422, 27.828052312},
		{112.953537021, 27.820930021}, {112.948287992, 27.812639035},
		{112.938194118, 27.816923272}, {112.928516849, 27.816450698},
		{112.918511023, 27.821888701}, {112.924182008, 27.831725682},
		{112.925163435, 27.839937421}, {112.933177282, 27.844287087},
		{112.942462139, 27.847823682},
	}
	irregularArea = 10014949.958725989 // pyproj: -10014949.958725989 (clockwise)

	// square300m is 300 m × 300 m near Zhuzhou, the second part of the
	// MultiPolygon case.
	square300m = orb.Ring{
		{113.5, 27.5}, {113.503036064, 27.499999967}, {113.503036139, 27.502707268},
		{113.5, 27.502707301}, {113.5, 27.5},
	}
	square300mArea = 89999.99407367523

	// sliver is 1000 m × 0.1 m, at azimuth 37° from Zhuzhou (100 m²).
	sliver = orb.Ring{
		{113.13, 27.83}, {113.1361092208, 27.8372066756}, {113.1361100315, 27.8372061325},
		{113.1300008107, 27.8299994569}, {113.13, 27.83},
	}
	sliverArea = 100.00233442476019 // pyproj: -100.00233442476019 (clockwise)

	// cell1deg is the 1°×1° cell 113–114°E, 28–29°N; its edges are
	// geodesics, so the north and south edges are not parallels.
	cell1deg     = orb.Ring{{113, 28}, {114, 28}, {114, 29}, {113, 29}, {113, 28}}
	cell1degArea = 10850425162.710022

	// equatorEdge has its southern edge on the equator.
	equatorEdge     = orb.Ring{{100, 0}, {100.01, 0}, {100.01, 0.01}, {100, 0.01}, {100, 0}}
	equatorEdgeArea = 1230907.204993883

	// straddle straddles the equator at 60°W.
	straddle     = orb.Ring{{-60, -0.005}, {-59.99, -0.005}, {-59.99, 0.005}, {-60, 0.005}, {-60, -0.005}}
	straddleArea = 1230907.2095544501

	// antimeridian crosses 180° at 16°S.
	antimeridian = orb.Ring{
		{179.995, -16}, {-179.995, -16}, {-179.995, -15.99}, {179.995, -15.99}, {179.995, -16},
	}
	antimeridianArea = 1184457.3736336231
)

func TestAreaM2(t *testing.T) {
	cases := []struct {
		name string
		g    orb.Geometry
		want float64
		tol  float64 // relative
	}{
		{"10m square", orb.Polygon{square10m}, square10mArea, 1e-6},
		{"1km square", orb.Polygon{square1km}, square1kmArea, 1e-6},
		{"10km2 irregular", orb.Polygon{irregular}, irregularArea, 1e-6},
		{"polygon with hole", orb.Polygon{square1km, hole200m}, square1kmArea - hole200mArea, 1e-6},
		{"multipolygon", orb.MultiPolygon{{square1km, hole200m}, {square300m}},
			square1kmArea - hole200mArea + square300mArea, 1e-6},
		{"thin sliver", orb.Polygon{sliver}, sliverArea, 1e-6},
		{"equator edge", orb.Polygon{equatorEdge}, equatorEdgeArea, 1e-6},
		{"straddling equator", orb.Polygon{straddle}, straddleArea, 1e-6},
		{"antimeridian", orb.Polygon{antimeridian}, antimeridianArea, 1e-6},
		{"1 degree cell", orb.Polygon{cell1deg}, cell1degArea, 1e-6},
		{"collection", orb.Collection{orb.Polygon{square10m}, orb.Point{1, 2},
			orb.Collection{orb.MultiPolygon{{square300m}}}}, square10mArea + square300mArea, 1e-6},
	}
	worst := 0.0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := AreaM2(tc.g)
			rel := math.Abs(got-tc.want) / tc.want
			worst = math.Max(worst, rel)
			if !(rel <= tc.tol) {
				t.Errorf("AreaM2 = %.9f m², pyproj %.9f m², relative difference %.3g > %g",
					got, tc.want, rel, tc.tol)
			}
			t.Logf("AreaM2 = %.9f m², pyproj %.9f m², relative difference %.3g", got, tc.want, rel)
		})
	}
	// Measured on linux/amd64 with Go 1.26: worst relative difference
	// 1.2e-7, for the 1000 m × 0.1 m sliver (1.2e-5 m² of 100 m²); 1.6e-12
	// or better for every other case (10 m square and 1 km square: 0;
	// irregular 10 km²: 1.6e-12; 1° cell: 5.6e-15). This is round-off in
	// the algorithm both sides share: an edge's S12 includes
	// A4·(B42 − B41), a difference of two O(1) series values scaled by
	// A4 ≈ 1e11 m², so each edge carries about 1e-5 m² of noise whatever
	// its length. It matters only for tiny, thin polygons and stays far
	// inside the 0.05 % requirement.
	t.Logf("worst relative difference from pyproj: %.3g", worst)
}

func TestAreaM2Orientation(t *testing.T) {
	cases := []struct {
		name string
		r    orb.Ring
	}{
		{"10m square", square10m}, {"irregular", irregular}, {"sliver", sliver},
		{"1 degree cell", cell1deg}, {"antimeridian", antimeridian}, {"equator edge", equatorEdge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rev := slices.Clone(tc.r)
			slices.Reverse(rev)
			a, b := AreaM2(orb.Polygon{tc.r}), AreaM2(orb.Polygon{rev})
			if math.Abs(a-b) > 1e-12*a {
				t.Errorf("area %.9f m² one way, %.9f m² the other", a, b)
			}
			// An unclosed ring is closed implicitly.
			if c := AreaM2(orb.Polygon{tc.r[:len(tc.r)-1]}); math.Abs(c-a) > 1e-12*a {
				t.Errorf("unclosed ring area %.9f m², closed %.9f m²", c, a)
			}
		})
	}
	t.Run("hole", func(t *testing.T) {
		// A hole wound either way is subtracted.
		hrev := slices.Clone(hole200m)
		slices.Reverse(hrev)
		a, b := AreaM2(orb.Polygon{square1km, hole200m}), AreaM2(orb.Polygon{square1km, hrev})
		if math.Abs(a-b) > 1e-6 || a > square1kmArea-hole200mArea+1e-3 {
			t.Errorf("area with hole %.9f m² one way, %.9f m² the other", a, b)
		}
	})
}

func TestAreaM2AllGeometries(t *testing.T) {
	for i, g := range orb.AllGeometries {
		name := "nil"
		if g != nil {
			name = fmt.Sprintf("%d/%s/%T", i, g.GeoJSONType(), g)
		}
		t.Run(name, func(t *testing.T) {
			if a := AreaM2(g); a != 0 {
				t.Errorf("AreaM2(%#v) = %v, want 0", g, a)
			}
			if l := LengthM(g); l != 0 {
				t.Errorf("LengthM(%#v) = %v, want 0", g, l)
			}
		})
	}
	others := []orb.Geometry{
		orb.Point{112.94, 28.23},
		orb.MultiPoint{{112.94, 28.23}, {113, 28}},
		orb.Polygon{{}},
		orb.Polygon{{{112.94, 28.23}, {113, 28}}}, // degenerate
		orb.Polygon{{{112.94, 28.23}, {112.94, 28.23}, {112.94, 28.23}, {112.94, 28.23}}},
		square1km, // a bare Ring is not polygonal here
		orb.Bound{Min: orb.Point{112, 28}, Max: orb.Point{113, 29}}, // nor is a Bound
		orb.LineString{{112.94, 28.23}, {113, 28}},
		orb.Collection{nil, orb.Point{1, 2}},
	}
	for _, g := range others {
		t.Run(fmt.Sprintf("area/%T", g), func(t *testing.T) {
			if a := AreaM2(g); a != 0 {
				t.Errorf("AreaM2(%v) = %v, want 0", g, a)
			}
		})
	}
	polys := []orb.Geometry{orb.Polygon{square1km}, orb.MultiPolygon{{square1km}}, orb.Ring(nil), orb.LineString{{1, 1}}}
	for _, g := range polys {
		t.Run(fmt.Sprintf("length/%T", g), func(t *testing.T) {
			if l := LengthM(g); l != 0 {
				t.Errorf("LengthM(%v) = %v, want 0", g, l)
			}
		})
	}
}

func TestDistanceM(t *testing.T) {
	cases := []struct {
		name                   string
		lon1, lat1, lon2, lat2 float64
		want                   float64 // pyproj Geod.inv
	}{
		{"Changsha-Zhuzhou", 112.94, 28.23, 113.13, 27.83, 48104.497667204116},
		{"Changsha-Xiangtan", 112.94, 28.23, 112.94, 27.83, 44327.97486614694},
		{"1 m", 112.94, 28.23, 112.94001, 28.23, 0.981522285942995},
		{"same point", 112.94, 28.23, 112.94, 28.23, 0},
		{"Changsha-Beijing", 112.94, 28.23, 116.39, 39.91, 1333854.7130043667},
		{"equatorial", 0, 0, 90, 0, 10018754.171394622},
		{"meridional", 10, -30, 10, 60, 9974186.217430897},
		{"nearly antipodal", 0, 0.5, 179.5, -0.3, 19964921.68374317},
		{"antipodal", 0, 0, 180, 0, 20003931.458625447},
		{"to the pole", 0, 89, 120, 90, 111693.86491419985},
	}
	worst := 0.0
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a, b := orb.Point{tc.lon1, tc.lat1}, orb.Point{tc.lon2, tc.lat2}
			for _, got := range []float64{DistanceM(a, b), DistanceM(b, a)} {
				d := math.Abs(got - tc.want)
				worst = math.Max(worst, d)
				if d > 1e-3 {
					t.Errorf("DistanceM = %.9f m, pyproj %.9f m (diff %.3g m)", got, tc.want, got-tc.want)
				}
			}
		})
	}
	// Measured on linux/amd64: worst difference 1.9e-9 m; Karney (2013)
	// gives 15 nm as the method's accuracy.
	if worst > 1e-7 {
		t.Errorf("worst distance difference from pyproj = %.3g m, want ≤ 0.1 µm", worst)
	}
	t.Logf("worst distance difference from pyproj: %.3g m", worst)
}

func TestLengthM(t *testing.T) {
	// pyproj: g.line_length([112.94, 112.94, 113.13], [28.23, 27.83, 27.83])
	const want = 63045.97520980066
	line := orb.LineString{{112.94, 28.23}, {112.94, 27.83}, {113.13, 27.83}}
	cases := []struct {
		name string
		g    orb.Geometry
		want float64
	}{
		{"linestring", line, want},
		{"multilinestring", orb.MultiLineString{line, line}, 2 * want},
		{"collection", orb.Collection{line, orb.Polygon{square1km}, orb.Collection{line}}, 2 * want},
		{"single point line", orb.LineString{{112.94, 28.23}}, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := LengthM(tc.g); math.Abs(got-tc.want) > 1e-6 {
				t.Errorf("LengthM = %.9f, pyproj %.9f", got, tc.want)
			}
		})
	}
}

func TestAreaM2NoAlloc(t *testing.T) {
	p := orb.MultiPolygon{{square1km, hole200m}, {irregular}}
	line := orb.LineString(irregular)
	if n := testing.AllocsPerRun(100, func() { AreaM2(p) }); n != 0 {
		t.Errorf("AreaM2 allocates %v times per call", n)
	}
	if n := testing.AllocsPerRun(100, func() { LengthM(line) }); n != 0 {
		t.Errorf("LengthM allocates %v times per call", n)
	}
}

func ExampleAreaM2() {
	// A 1 km × 1 km parcel south-east of Changsha with a 200 m × 200 m hole.
	parcel := orb.Polygon{square1km, hole200m}
	fmt.Printf("%.2f ha\n", AreaM2(parcel)/1e4)
	// Output: 96.00 ha
}

func ExampleDistanceM() {
	changsha, zhuzhou := orb.Point{112.94, 28.23}, orb.Point{113.13, 27.83}
	fmt.Printf("%.3f km\n", DistanceM(changsha, zhuzhou)/1000)
	// Output: 48.104 km
}

// benchParcel is a 20-vertex parcel of about 1 ha.
var benchParcel = func() orb.Polygon {
	var r orb.Ring
	for i := 0; i < 20; i++ {
		a := float64(i) * 2 * math.Pi / 20
		rad := 0.0005 * (1 + 0.2*math.Sin(3*a))
		r = append(r, orb.Point{112.94 + rad*math.Cos(a), 28.23 + rad*math.Sin(a)})
	}
	return orb.Polygon{append(r, r[0])}
}()

func BenchmarkAreaM2(b *testing.B) {
	b.ReportAllocs()
	var s float64
	for b.Loop() {
		s += AreaM2(benchParcel)
	}
	_ = s
}

func BenchmarkDistanceM(b *testing.B) {
	b.ReportAllocs()
	p, q := orb.Point{112.94, 28.23}, orb.Point{112.9405, 28.2302}
	var s float64
	for b.Loop() {
		s += DistanceM(p, q)
	}
	_ = s
}

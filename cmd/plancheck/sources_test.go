package main

import (
	"encoding/json"
	"math"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 15: every source feeds the same checks. fixtures/czt converted by
// GDAL (ogr2ogr) into a GeoPackage and into PostGIS tables gives exactly
// the findings of the GeoJSON set, but for where they point (a fid or a
// row, not a line) and the ring-orientation warnings GeoJSON alone has.

// sourceLayers are the layers moved out of GeoJSON, and how: one
// projected layer (declared crs: EPSG:4547, stored as EPSG:4547), and the
// others geographic.
var sourceLayers = []struct{ layer, srs string }{
	{"changsha-master", ""},
	{"land-use", ""},
	{"zhuzhou-master", "EPSG:4547"},
	{"green-heart", ""},
	{"infrastructure", ""},
}

func TestGeoPackageSetMatchesGeoJSON(t *testing.T) {
	needOgr2ogr(t)
	src := filepath.Join(repoRoot, "fixtures/czt")
	dir := t.TempDir()
	copyDir(t, src, dir)
	m := readText(t, filepath.Join(dir, "plancheck.yaml"))
	plans := filepath.Join(dir, "layers", "plans.gpkg")
	for i, l := range sourceLayers {
		in := filepath.Join(dir, "layers", l.layer+".geojson")
		args := []string{"-f", "GPKG", plans, in, "-nln", l.layer}
		if i > 0 {
			args = append(args, "-update")
		}
		if l.srs != "" {
			args = append(args, "-a_srs", l.srs)
		}
		ogr2ogr(t, args...)
		os.Remove(in)
		m = strings.Replace(m, "file: layers/"+l.layer+".geojson", "file: layers/plans.gpkg\n    table: "+l.layer, 1)
	}
	// A GeoPackage of one table needs no table:.
	single := filepath.Join(dir, "layers", "regional.gpkg")
	ogr2ogr(t, "-f", "GPKG", single, filepath.Join(dir, "layers", "regional.geojson"))
	os.Remove(filepath.Join(dir, "layers", "regional.geojson"))
	m = strings.Replace(m, "file: layers/regional.geojson", "file: layers/regional.gpkg", 1)
	writeText(t, filepath.Join(dir, "plancheck.yaml"), m)
	sameFindings(t, src, dir, "GeoPackage")

	// Findings point at the table's fid, said as such.
	stdout, _, _ := runCLI(t, "check", dir, "--quiet", "--only", "land-use")
	if !strings.Contains(stdout, "layers/plans.gpkg:fid ") {
		t.Errorf("text report does not point at fids:\n%s", stdout)
	}
	// Several tables and none named: the error lists them.
	writeText(t, filepath.Join(dir, "plancheck.yaml"), strings.Replace(m, "    table: land-use\n", "", 1))
	_, stderr, code := runCLI(t, "check", dir, "--quiet")
	if code != exitUsage || !strings.Contains(stderr, "plans.gpkg") || !strings.Contains(stderr, "changsha-master") {
		t.Errorf("no table: exit %d, %s", code, stderr)
	}
	// A table that does not exist is named.
	writeText(t, filepath.Join(dir, "plancheck.yaml"), strings.Replace(m, "table: land-use", "table: 土地利用", 1))
	_, stderr, code = runCLI(t, "check", dir, "--quiet")
	if code != exitUsage || !strings.Contains(stderr, "土地利用") {
		t.Errorf("missing table: exit %d, %s", code, stderr)
	}
}

func TestPostGISSetMatchesGeoJSON(t *testing.T) {
	pg := os.Getenv("PLANCHECK_TEST_POSTGRES")
	if pg == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("PLANCHECK_TEST_POSTGRES is not set: .ci/run starts a PostGIS cluster for this test")
		}
		t.Skip("PLANCHECK_TEST_POSTGRES not set (bash geo/postgis/testdata/cluster.sh start)")
	}
	needOgr2ogr(t)
	u, err := url.Parse(pg)
	if err != nil {
		t.Fatal(err)
	}
	conn := "PG:host=" + u.Hostname() + " port=" + u.Port() + " dbname=" + strings.TrimPrefix(u.Path, "/") + " user=" + u.User.Username()
	schema := "czt_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	src := filepath.Join(repoRoot, "fixtures/czt")
	dir := t.TempDir()
	copyDir(t, src, dir)
	m := readText(t, filepath.Join(dir, "plancheck.yaml"))
	for i, l := range sourceLayers {
		in := filepath.Join(dir, "layers", l.layer+".geojson")
		table := schema + "." + strings.ReplaceAll(l.layer, "-", "_") // a name needing no quotes in SQL
		args := []string{"-f", "PostgreSQL", conn, in, "-nln", table, "-lco", "GEOMETRY_NAME=geom", "-lco", "LAUNDER=NO", "-overwrite"}
		if i == 0 {
			args = append(args, "-lco", "SCHEMA="+schema)
			psql(t, pg, "DROP SCHEMA IF EXISTS "+schema+" CASCADE; CREATE SCHEMA "+schema)
		}
		if l.srs != "" {
			args = append(args, "-a_srs", l.srs)
		}
		ogr2ogr(t, args...)
		os.Remove(in)
		entry := "source: " + pg + "\n    table: " + table
		if l.layer == "green-heart" {
			// A query source: the same rows through SQL.
			entry = "source: " + pg + "\n    query: SELECT * FROM " + table + " ORDER BY ogc_fid"
		}
		m = strings.Replace(m, "file: layers/"+l.layer+".geojson", entry, 1)
	}
	writeText(t, filepath.Join(dir, "plancheck.yaml"), m)
	sameFindings(t, src, dir, "PostGIS")

	// A table that does not exist stops the run, naming the source.
	writeText(t, filepath.Join(dir, "plancheck.yaml"), strings.Replace(m, schema+".land_use", schema+".landuse", 1))
	_, stderr, code := runCLI(t, "check", dir, "--quiet")
	if code != exitUsage || !strings.Contains(stderr, "landuse") || !strings.Contains(stderr, u.Host) || strings.Contains(stderr, os.Getenv("PGPASSWORD")) {
		t.Errorf("missing table: exit %d, %s", code, stderr)
	}
}

// sameFindings checks that the set in dir gives the findings of the
// GeoJSON set src, location aside.
func sameFindings(t *testing.T, src, dir, format string) {
	t.Helper()
	findings := func(set string) map[string]bool {
		stdout, stderr, code := runCLI(t, "check", set, "--format", "json", "--quiet", "--date", "2026-03-01")
		if code == exitUsage {
			t.Fatalf("check %s: %s", set, stderr)
		}
		var rep struct {
			Findings []map[string]any `json:"findings"`
		}
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, f := range rep.Findings {
			delete(f, "file")
			delete(f, "line")
			if f["rule"] == "winding-order" || f["rule"] == "source-note" {
				continue
			}
			b, _ := json.Marshal(f)
			out[string(b)] = true
		}
		return out
	}
	want, got := findings(src), findings(dir)
	if len(want) < 50 {
		t.Fatalf("the GeoJSON set gives only %d findings", len(want))
	}
	for k := range want {
		if !got[k] {
			t.Errorf("GeoJSON finding missing from the %s run: %s", format, k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("%s run has an extra finding: %s", format, k)
		}
	}
}

func needOgr2ogr(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("ogr2ogr not installed: .ci/run installs gdal-bin")
		}
		t.Skip("ogr2ogr not installed (Debian gdal-bin)")
	}
}

func ogr2ogr(t *testing.T, args ...string) {
	t.Helper()
	if b, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr %v: %v\n%s", args, err, b)
	}
}

func psql(t *testing.T, conn, sql string) {
	t.Helper()
	if b, err := exec.Command("psql", conn, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql).CombinedOutput(); err != nil {
		t.Fatalf("psql %s: %v\n%s", sql, err, b)
	}
}

func readText(t *testing.T, path string) string {
	t.Helper()
	return string(mustRead(t, path))
}

func writeText(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// --out-crs writes conflicts.gpkg in the layers' Gauss–Krüger zone; GDAL
// reads it as that CRS, and PROJ's inverse of its coordinates gives the
// lon/lat of conflicts.geojson (to 1e-6°, ~0.1 m, beyond the rounding).
func TestOutCRSGeoPackage(t *testing.T) {
	needOgr2ogr(t)
	out := filepath.Join(t.TempDir(), "out")
	if _, stderr, code := runCLI(t, "check", filepath.Join(repoRoot, "fixtures/czt"), "--out", out, "--out-crs", "layers", "--quiet"); code == exitUsage {
		t.Fatal(stderr)
	}
	info, err := exec.Command("ogrinfo", "-so", "-al", filepath.Join(out, "conflicts.gpkg")).CombinedOutput()
	if err != nil {
		t.Fatalf("ogrinfo: %v\n%s", err, info)
	}
	if !strings.Contains(string(info), `CGCS2000 / 3-degree Gauss-Kruger CM 114E`) || !strings.Contains(string(info), `ID["EPSG",4547]`) {
		t.Errorf("conflicts.gpkg is not in EPSG:4547:\n%s", info)
	}
	back := filepath.Join(t.TempDir(), "back.geojson")
	ogr2ogr(t, "-f", "GeoJSON", "-t_srs", "EPSG:4326", back, filepath.Join(out, "conflicts.gpkg"))
	type fc struct {
		Features []struct {
			Properties map[string]any `json:"properties"`
			Geometry   struct {
				Coordinates [][][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
		} `json:"features"`
	}
	var want, got fc
	for path, dst := range map[string]*fc{filepath.Join(out, "conflicts.geojson"): &want, back: &got} {
		if err := json.Unmarshal(mustRead(t, path), dst); err != nil {
			t.Fatal(path, err)
		}
	}
	if len(got.Features) != len(want.Features) || len(want.Features) < 50 {
		t.Fatalf("%d features back, want %d", len(got.Features), len(want.Features))
	}
	compared := 0
	for i, w := range want.Features {
		g := got.Features[i]
		if g.Properties["fingerprint"] != w.Properties["fingerprint"] {
			t.Fatalf("feature %d: fingerprint %v, want %v", i, g.Properties["fingerprint"], w.Properties["fingerprint"])
		}
		for p, poly := range w.Geometry.Coordinates {
			for r, ring := range poly {
				for k, pt := range ring {
					q := g.Geometry.Coordinates[p][r][k]
					if math.Abs(q[0]-pt[0]) > 1e-6 || math.Abs(q[1]-pt[1]) > 1e-6 {
						t.Fatalf("feature %d point %v comes back as %v", i, pt, q)
					}
					compared++
				}
			}
		}
	}
	if compared < 1000 {
		t.Errorf("only %d points compared", compared)
	}
	for _, bad := range []string{"EPSG:3857", "GCJ-02"} {
		if _, stderr, code := runCLI(t, "check", filepath.Join(repoRoot, "fixtures/czt"), "--out-crs", bad, "--quiet"); code != exitUsage || !strings.Contains(stderr, "--out-crs") {
			t.Errorf("--out-crs %s: exit %d, %s", bad, code, stderr)
		}
	}
}

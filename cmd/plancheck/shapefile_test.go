package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The bundled set converted to Shapefiles by GDAL (the reference) checks to
// the same findings as the GeoJSON: a GBK .dbf, UTF-8 ones, the EPSG:4547
// layer in its projected coordinates with its .prj.
func TestShapefileSetMatchesGeoJSON(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("ogr2ogr not installed (Debian gdal-bin)")
	}
	src := filepath.Join(repoRoot, "fixtures/czt")
	dir := t.TempDir()
	copyDir(t, src, dir)
	manifest, err := os.ReadFile(filepath.Join(dir, "plancheck.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m := string(manifest)
	for _, tc := range []struct {
		layer string
		lco   []string
	}{
		{"changsha-master", []string{"-lco", "ENCODING=GBK"}},
		{"land-use", []string{"-lco", "ENCODING=UTF-8"}},
		{"zhuzhou-master", []string{"-lco", "ENCODING=UTF-8", "-a_srs", "EPSG:4547"}},
		{"green-heart", []string{"-lco", "ENCODING=GBK"}},
	} {
		in := filepath.Join(dir, "layers", tc.layer+".geojson")
		out := filepath.Join(dir, "layers", tc.layer+".shp")
		args := append([]string{"-f", "ESRI Shapefile", out, in}, tc.lco...)
		if b, err := exec.Command("ogr2ogr", args...).CombinedOutput(); err != nil {
			t.Fatalf("ogr2ogr %s: %v\n%s", tc.layer, err, b)
		}
		os.Remove(in)
		m = strings.Replace(m, "file: layers/"+tc.layer+".geojson", "file: layers/"+tc.layer+".shp", 1)
	}
	if err := os.WriteFile(filepath.Join(dir, "plancheck.yaml"), []byte(m), 0o644); err != nil {
		t.Fatal(err)
	}
	sameFindings(t, src, dir, "Shapefile")
}

// A .prj plancheck does not know, or one that contradicts the manifest's
// crs:, stops the run naming the file; nothing is guessed.
func TestShapefileProjectionErrors(t *testing.T) {
	if _, err := exec.LookPath("ogr2ogr"); err != nil {
		t.Skip("ogr2ogr not installed (Debian gdal-bin)")
	}
	for _, tc := range []struct {
		name, srs, crs, want string
	}{
		{"web mercator", "EPSG:3857", "", "is not a CRS plancheck knows"},
		{"contradicts crs:", "EPSG:4326", "EPSG:4547", "but the manifest declares crs: EPSG:4547"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			copyDir(t, filepath.Join(repoRoot, "fixtures/czt"), dir)
			in := filepath.Join(dir, "layers", "changsha-master.geojson")
			out := filepath.Join(dir, "layers", "changsha-master.shp")
			if b, err := exec.Command("ogr2ogr", "-f", "ESRI Shapefile", "-t_srs", tc.srs, "-lco", "ENCODING=UTF-8", out, in).CombinedOutput(); err != nil {
				t.Fatalf("ogr2ogr: %v\n%s", err, b)
			}
			m, _ := os.ReadFile(filepath.Join(dir, "plancheck.yaml"))
			entry := "file: layers/changsha-master.shp"
			if tc.crs != "" {
				entry += "\n    crs: " + tc.crs
			}
			text := strings.Replace(string(m), "file: layers/changsha-master.geojson", entry, 1)
			if err := os.WriteFile(filepath.Join(dir, "plancheck.yaml"), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			_, stderr, code := runCLI(t, "check", dir, "--quiet")
			if code != exitUsage || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "changsha-master.shp") {
				t.Errorf("exit %d, %q; want exit %d naming the file and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

package planning

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/geo/shapefile"
)

// Layer sources. A layer is read by the first source in layerSources that
// claims it; GeoJSON, which no source claims, is read by geo's reader
// directly. Every other source hands its decoded records to
// geo.BuildLayer, so CRS, coordinates, OGC validity, attributes and fields
// mappings are judged by one implementation whatever the format: adding a
// format is one reader package and one entry here.
var layerSources = []layerSource{
	{"ESRI Shapefile", "record", isShapefile, readShapefile},
	{"GeoPackage", "fid", func(s LayerSpec) bool { return s.Source == "" && isGeoPackage(s.Path) }, readGeoPackage},
	{"PostGIS", "row", func(s LayerSpec) bool { return s.Source != "" }, readPostGIS},
}

// RecordUnit names what a location's number counts in a layer file or
// source: "" for a line of a text file, else "record" (Shapefile), "fid"
// (GeoPackage) or "row" (database).
func RecordUnit(file string) string {
	spec := LayerSpec{Path: file}
	if strings.Contains(file, "://") {
		spec.Source = file
	}
	if s := sourceFor(spec); s != nil {
		return s.unit
	}
	return ""
}

// FileFormat names the format a layer file is read as, by its name:
// "GeoJSON", a source's name, or "" when no reader takes it.
func FileFormat(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".geojson", ".json":
		return "GeoJSON"
	}
	if s := sourceFor(LayerSpec{Path: path}); s != nil {
		return s.name
	}
	return ""
}

type layerSource struct {
	name  string
	unit  string // what its locations count: record, fid, row
	claim func(LayerSpec) bool
	read  func(context.Context, LayerSpec) (*sourceRead, error)
}

func sourceFor(spec LayerSpec) *layerSource {
	for i := range layerSources {
		if layerSources[i].claim(spec) {
			return &layerSources[i]
		}
	}
	return nil
}

// sourceRead is a layer source read: its records, handed one at a time to
// geo.BuildLayer, with what the source says about the layer.
type sourceRead struct {
	n      int
	record func(i int) geo.Record
	crs    *geo.CRS
	sha256 string  // of the source's bytes, for report inputs
	notes  []Issue // the source's warnings, for the layer
}

// sourceCRS decides a source layer's CRS from what the source says (found,
// nil when it says nothing usable) and what the manifest declares. what
// names where the source says it ("the .prj of x.shp"); unknown is set when
// the source names a CRS plancheck does not know, with the reason; absent
// is the note for a source that says nothing.
func sourceCRS(spec LayerSpec, found *geo.CRS, what, unknown string, absent geo.Text) (*geo.CRS, *Issue, error) {
	switch {
	case found != nil && spec.CRSDeclared && !sameCRS(*found, spec.CRS):
		return nil, nil, fmt.Errorf("planning: layer %s: %s says %s but the manifest declares crs: %s", spec.Name, what, found, spec.CRS)
	case spec.CRSDeclared:
		c := spec.CRS
		return &c, nil, nil
	case found != nil:
		return found, nil, nil
	case unknown != "":
		return nil, nil, fmt.Errorf("planning: layer %s: %s is not a CRS plancheck knows (%s); declare the layer's crs: in the manifest (EPSG:4326, 4490, 4513–4554)", spec.Name, what, unknown)
	}
	c := geo.WGS84
	return &c, &Issue{Check: CheckCRS, Feature: -1, Text: absent}, nil
}

// isShapefile reports whether a layer file is an ESRI Shapefile.
func isShapefile(spec LayerSpec) bool {
	return spec.Source == "" && strings.EqualFold(filepath.Ext(spec.Path), ".shp")
}

// isGeoPackage reports whether a layer file is a GeoPackage.
func isGeoPackage(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".gpkg")
}

// readShapefile reads a Shapefile; messages point at "file.shp:record N".
func readShapefile(ctx context.Context, spec LayerSpec) (*sourceRead, error) {
	digest := digestAside(func() (string, error) { return shapefileDigest(spec.Path) })
	sl, err := shapefile.Read(ctx, spec.Path, shapefile.Options{MaxVertices: spec.MaxVertices, MaxBytes: spec.MaxBytes})
	sum, derr := digest()
	if err == nil {
		err = derr
	}
	if err != nil {
		return nil, fmt.Errorf("planning: layer %s: %w", spec.Name, err)
	}
	prj := sl.Projection
	what := "the .prj of " + spec.File
	if prj.CRS != nil {
		what += " (" + prj.Name + ")"
	}
	unknown := ""
	if prj.CRS == nil && prj.Found {
		unknown = prj.Reason
	}
	crs, note, err := sourceCRS(spec, prj.CRS, what, unknown,
		geo.Textf("%s has no .prj: read as EPSG:4326 lon/lat; declare crs: in the manifest if it is projected", "%s 没有 .prj：按 EPSG:4326 经纬度读取；如果是投影坐标，请在清单中声明 crs:", spec.File))
	if err != nil {
		return nil, err
	}
	out := &sourceRead{n: len(sl.Features), record: func(i int) geo.Record {
		f := &sl.Features[i]
		var problem error // not a nil *shapefile.Error in an error
		if f.Problem != nil {
			problem = f.Problem
		}
		return record(f.Record, f.Geometry, f.Properties, problem)
	}}
	out.crs = crs
	if note != nil {
		out.notes = append(out.notes, *note)
	}
	for _, w := range sl.Warnings {
		out.notes = append(out.notes, Issue{Check: CheckSourceNote, Feature: -1, Line: w.Record, Text: w.Text()})
	}
	out.sha256 = sum
	return out, nil
}

// record is a source's feature as geo.BuildLayer takes it; problem is why
// the source could not read its geometry (nil when it could), in English
// and Chinese when it says both (the readers' *Error values do).
func record(number int, g orb.Geometry, props []geo.Property, problem error) geo.Record {
	r := geo.Record{Number: number, Geometry: g, Properties: props}
	var bilingual interface{ Text() geo.Text }
	switch {
	case problem == nil:
	case errors.As(problem, &bilingual):
		r.Problem = bilingual.Text()
	default:
		r.Problem = geo.Same(problem.Error())
	}
	return r
}

// digestAside computes a source's digest on another core while the source
// is decoded (the GeoJSON reader hashes as it reads, likewise); the
// function returned waits for it.
func digestAside(digest func() (string, error)) func() (string, error) {
	type result struct {
		sum string
		err error
	}
	done := make(chan result, 1)
	go func() {
		sum, err := digest()
		done <- result{sum, err}
	}()
	return func() (string, error) {
		r := <-done
		return r.sum, r.err
	}
}

// sameCRS: geographic systems are one (plancheck takes CGCS2000 lon/lat as
// WGS84); projected ones must be the same zone.
func sameCRS(a, b geo.CRS) bool {
	if a.Geographic && b.Geographic {
		return true
	}
	return a.EPSG == b.EPSG && a.Shift == b.Shift
}

// shapefileDigest is the SHA-256 of the Shapefile's parts present, in a
// fixed order (.shp, .shx, .dbf, .prj, .cpg), each preceded by its ending.
func shapefileDigest(path string) (string, error) {
	h := sha256.New()
	base := strings.TrimSuffix(path, filepath.Ext(path))
	for _, ext := range []string{filepath.Ext(path), ".shx", ".dbf", ".prj", ".cpg"} {
		f, err := os.Open(base + ext)
		if err != nil {
			if os.IsNotExist(err) && ext != filepath.Ext(path) {
				continue
			}
			return "", err
		}
		h.Write([]byte(ext))
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

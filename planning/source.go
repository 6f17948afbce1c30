package planning

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/geo/shapefile"
)

// Layer sources. A layer is read by the first source in layerSources that
// claims it; GeoJSON, which no source claims, is read by geo's reader
// directly. Every other source turns its records into GeoJSON text for the
// same reader, so structure, CRS, OGC validity, attributes and fields
// mappings are judged by one implementation whatever the format: adding a
// format is one reader package and one entry here.
var layerSources = []layerSource{
	{"ESRI Shapefile", isShapefile, readShapefile},
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

// sourceRead is a layer source turned into what geo's reader takes, and
// how to give the reader's results back the source's own places.
type sourceRead struct {
	text []byte
	crs  *geo.CRS
	// record maps a line of text to the source's record number (a
	// Shapefile record, a GeoPackage fid, a database row), 0 for none.
	record func(line int) int
	sha256 string
	notes  []Issue // the source's warnings, for the layer
	// invalid are features (by index) whose geometry the source could not
	// read, with the reason: geometry-invalid findings.
	invalid map[int]string
}

// sourceRecord is one feature of a source, whatever its format.
type sourceRecord struct {
	number   int // as the source's messages count (record, fid, row)
	geometry orb.Geometry
	problem  error // the source could not read the geometry
	// properties calls add for each attribute, in the source's order;
	// values are nil, string, int64, float64 or bool.
	properties func(add func(name string, value any))
}

// transcode writes n records as a FeatureCollection, one feature per line
// after the first (record i on line i+2 of the text), so the reader's line
// numbers lead back to the records.
func transcode(spec LayerSpec, n int, record func(i int) sourceRecord) (*sourceRead, error) {
	out := &sourceRead{invalid: map[int]string{}}
	numbers := make([]int, n)
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i := 0; i < n; i++ {
		r := record(i)
		if i == 0 {
			// About 40 bytes a point and 200 a feature: one allocation
			// instead of a buffer doubling through the layer.
			b.Grow(n * (200 + 40*geo.PointCount(r.geometry)))
		}
		numbers[i] = r.number
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n{\"type\":\"Feature\",\"properties\":{")
		first := true
		r.properties(func(name string, value any) {
			if !first {
				b.WriteByte(',')
			}
			first = false
			quoted, _ := json.Marshal(name)
			b.Write(quoted)
			b.WriteByte(':')
			writeJSONValue(&b, value)
		})
		b.WriteString("},\"geometry\":")
		switch {
		case r.problem != nil:
			out.invalid[i] = r.problem.Error()
			b.WriteString("null")
		case r.geometry == nil:
			b.WriteString("null")
		default:
			// Exact numbers (shortest round trip): the reader gets the
			// source's coordinates; readers refuse non-finite ones.
			if err := geo.AppendGeoJSON(&b, r.geometry, appendExact); err != nil {
				return nil, fmt.Errorf("planning: layer %s: %s: record %d: %w", spec.Name, spec.File, r.number, err)
			}
		}
		b.WriteByte('}')
	}
	b.WriteString("\n]}\n")
	out.text = b.Bytes()
	out.record = func(line int) int {
		if line >= 2 && line-2 < len(numbers) {
			return numbers[line-2]
		}
		return 0
	}
	return out, nil
}

// sourceCRS decides a source layer's CRS from what the source says (found,
// nil when it says nothing usable) and what the manifest declares. what
// names where the source says it ("the .prj of x.shp"); unknown is set when
// the source names a CRS plancheck does not know, with the reason; absent
// is the note for a source that says nothing.
func sourceCRS(spec LayerSpec, found *geo.CRS, what, unknown, absent string) (*geo.CRS, *Issue, error) {
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
	return &c, &Issue{Check: CheckCRS, Feature: -1, Message: absent}, nil
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
	sl, err := shapefile.Read(ctx, spec.Path, shapefile.Options{MaxVertices: spec.MaxVertices, MaxBytes: spec.MaxBytes})
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
		fmt.Sprintf("%s has no .prj: read as EPSG:4326 lon/lat; declare crs: in the manifest if it is projected", spec.File))
	if err != nil {
		return nil, err
	}
	out, err := transcode(spec, len(sl.Features), func(i int) sourceRecord {
		f := &sl.Features[i]
		r := sourceRecord{number: f.Record, geometry: f.Geometry, properties: func(add func(string, any)) {
			for _, p := range f.Properties {
				add(p.Name, p.Value)
			}
		}}
		if f.Problem != nil {
			r.problem = f.Problem
		}
		return r
	})
	if err != nil {
		return nil, err
	}
	out.crs = crs
	if note != nil {
		out.notes = append(out.notes, *note)
	}
	for _, w := range sl.Warnings {
		out.notes = append(out.notes, Issue{Check: CheckSourceNote, Feature: -1, Line: w.Record, Message: w.String()})
	}
	if out.sha256, err = shapefileDigest(spec.Path); err != nil {
		return nil, fmt.Errorf("planning: layer %s: %w", spec.Name, err)
	}
	return out, nil
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
		data, err := os.ReadFile(base + ext)
		if err != nil {
			if os.IsNotExist(err) && ext != filepath.Ext(path) {
				continue
			}
			return "", err
		}
		h.Write([]byte(ext))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func appendExact(dst []byte, v float64) []byte { return strconv.AppendFloat(dst, v, 'g', -1, 64) }

func writeJSONValue(b *bytes.Buffer, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		s, _ := json.Marshal(v)
		b.Write(s)
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case float64:
		b.Write(appendExact(b.AvailableBuffer(), v))
	case bool:
		b.WriteString(strconv.FormatBool(v))
	default:
		s, _ := json.Marshal(fmt.Sprint(v))
		b.Write(s)
	}
}

// place gives the reader's results the source's places: the digest of the
// source's files, record numbers for lines, and geometry-invalid for the
// records whose geometry the source could not read.
func (s *sourceRead) place(data *geo.Layer, features []Feature) {
	data.SHA256 = s.sha256
	for i := range data.Problems {
		p := &data.Problems[i]
		if p.Feature >= 0 {
			if reason, ok := s.invalid[p.Feature]; ok && p.Kind == geo.ProblemNullGeometry {
				p.Kind, p.Message = geo.ProblemGeometry, reason
			}
		}
		p.Line = s.record(p.Line)
	}
	for i := range features {
		features[i].Line = s.record(features[i].Line)
	}
}

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

	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/geo/shapefile"
)

// Layer sources. A layer file is read by the reader its ending names; every
// source feeds the same checks: it is handed to geo's reader as GeoJSON, so
// structure, CRS, OGC validity, attributes and fields mappings are judged
// by one implementation whatever the source.

// sourceRead is a layer file turned into what geo's reader takes, and how
// to give the reader's results back the source's own places.
type sourceRead struct {
	text []byte // nil: read the file itself (GeoJSON)
	crs  *geo.CRS
	// record maps a line of text to the source's record number (a
	// Shapefile record), 0 for none.
	record func(line int) int
	sha256 string
	notes  []Issue // the source's warnings, for the layer
	// invalid are features (by index) whose geometry the source could not
	// read, with the reason: geometry-invalid findings.
	invalid map[int]string
}

// isShapefile reports whether a layer file is an ESRI Shapefile.
func isShapefile(path string) bool {
	return strings.EqualFold(filepath.Ext(path), ".shp")
}

// readShapefile reads a Shapefile and writes it as a FeatureCollection, one
// feature per line after the first (record i on line i+1 of the text).
func readShapefile(ctx context.Context, spec LayerSpec) (*sourceRead, error) {
	sl, err := shapefile.Read(ctx, spec.Path, shapefile.Options{MaxVertices: spec.MaxVertices, MaxBytes: spec.MaxBytes})
	if err != nil {
		return nil, fmt.Errorf("planning: layer %s: %w", spec.Name, err)
	}
	out := &sourceRead{invalid: map[int]string{}}
	prj := sl.Projection
	switch {
	case prj.CRS != nil && spec.CRSDeclared && !sameCRS(*prj.CRS, spec.CRS):
		return nil, fmt.Errorf("planning: layer %s: the .prj of %s says %s (%s) but the manifest declares crs: %s", spec.Name, spec.File, prj.CRS, prj.Name, spec.CRS)
	case spec.CRSDeclared:
		c := spec.CRS
		out.crs = &c
	case prj.CRS != nil:
		out.crs = prj.CRS
	case prj.Found:
		return nil, fmt.Errorf("planning: layer %s: the .prj of %s is not a CRS plancheck knows (%s); declare the layer's crs: in the manifest (EPSG:4326, 4490, 4513–4554)", spec.Name, spec.File, prj.Reason)
	default:
		c := geo.WGS84
		out.crs = &c
		out.notes = append(out.notes, Issue{Check: CheckCRS, Feature: -1, Message: fmt.Sprintf("%s has no .prj: read as EPSG:4326 lon/lat; declare crs: in the manifest if it is projected", spec.File)})
	}
	for _, w := range sl.Warnings {
		out.notes = append(out.notes, Issue{Check: CheckSourceNote, Feature: -1, Line: w.Record, Message: w.String()})
	}
	records := make([]int, len(sl.Features))
	var b bytes.Buffer
	b.WriteString(`{"type":"FeatureCollection","features":[`)
	for i, f := range sl.Features {
		records[i] = f.Record
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n{\"type\":\"Feature\",\"properties\":{")
		for k, p := range f.Properties {
			if k > 0 {
				b.WriteByte(',')
			}
			name, _ := json.Marshal(p.Name)
			b.Write(name)
			b.WriteByte(':')
			writeJSONValue(&b, p.Value)
		}
		b.WriteString("},\"geometry\":")
		switch {
		case f.Problem != nil:
			out.invalid[i] = f.Problem.Error()
			b.WriteString("null")
		case f.Geometry == nil:
			b.WriteString("null")
		default:
			// Exact numbers (shortest round trip): the reader gets the
			// source's coordinates; the shapefile reader has already
			// refused non-finite ones.
			if err := geo.AppendGeoJSON(&b, f.Geometry, exactNumber); err != nil {
				return nil, fmt.Errorf("planning: layer %s: %s:record %d: %w", spec.Name, spec.File, f.Record, err)
			}
		}
		b.WriteByte('}')
	}
	b.WriteString("\n]}\n")
	out.text = b.Bytes()
	out.record = func(line int) int {
		if line >= 2 && line-2 < len(records) {
			return records[line-2]
		}
		return 0
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

func exactNumber(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

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
		b.WriteString(exactNumber(v))
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

package tiling

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
	"go.yaml.in/yaml/v3"
)

// OriginSuffix names the file beside each tile layer that gives, line by
// line, the index and line of each of its features in the original layer
// ("index line"), so findings name the features as a whole run does.
const OriginSuffix = ".origin"

// haloMarginM is added to the widest corridor's half width: corridors are
// buffered in a local projection, and the margin covers its scale error
// and the rounding of the box test.
const haloMarginM = 10

// Summary describes a tiling.
type Summary struct {
	Tiles    []Box
	HaloDeg  float64
	Features []int // per tile, features copied into it (a feature may go to several)
}

// Write splits the plan set of manifest into n tiles under out
// (out/tile-0 … out/tile-(n-1)), each a plan set: the original manifest
// with a tile: section, the rules and decisions files it names, and for
// each layer the features whose box, widened by the halo, touches the
// tile, each layer file beside its .origin file. Layers are streamed
// twice (feature centres, then the copies) and never held in memory.
func Write(ctx context.Context, manifest string, n int, out string, opts planning.ManifestOptions) (*Summary, error) {
	m, err := planning.ReadManifest(manifest, opts)
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(manifest)
	if err != nil {
		return nil, fmt.Errorf("tiling: %w", err)
	}
	for _, l := range m.Layers {
		if !strings.EqualFold(filepath.Ext(l.Path), ".geojson") && !strings.EqualFold(filepath.Ext(l.Path), ".json") {
			return nil, fmt.Errorf("tiling: layer %s: %s is not GeoJSON; tiles are cut from GeoJSON layers (convert it first, e.g. ogr2ogr -f GeoJSON)", l.Name, l.File)
		}
		if rel, err := filepath.Rel(m.Dir, l.Path); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(l.File) {
			return nil, fmt.Errorf("tiling: layer %s: file %s lies outside the plan set's directory; tiles copy layers to the same relative path, so move it inside", l.Name, l.File)
		}
	}
	// Pass 1: feature centres, the widest corridor, the highest latitude,
	// each layer's digest.
	var centres []orb.Point
	maxLat, maxHalfWidth := 0.0, 0.0
	inputs := make([]TileInput, len(m.Layers))
	for i, l := range m.Layers {
		h := sha256.New()
		count := 0
		err := eachFeature(ctx, l, io.Writer(h), func(f rawFeature) error {
			count++
			if f.ok {
				centres = append(centres, f.bound.Center())
				maxLat = max(maxLat, math.Abs(f.bound.Min[1]), math.Abs(f.bound.Max[1]))
			}
			maxHalfWidth = max(maxHalfWidth, f.widthM/2)
			return nil
		})
		if err != nil {
			return nil, err
		}
		inputs[i] = TileInput{Layer: l.Name, File: filepath.ToSlash(l.File), SHA256: hex.EncodeToString(h.Sum(nil)), Features: count}
	}
	tiles, err := Split(centres, n)
	if err != nil {
		return nil, err
	}
	halo := HaloDegrees(maxHalfWidth+haloMarginM, maxLat)
	sum := &Summary{Tiles: tiles, HaloDeg: halo, Features: make([]int, n)}
	absManifest, err := filepath.Abs(manifest)
	if err != nil {
		return nil, fmt.Errorf("tiling: %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("tiling: %w", err)
	}
	for k := range tiles {
		dir := filepath.Join(out, "tile-"+strconv.Itoa(k))
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("tiling: %w", err)
		}
		info := Info{Index: k, Count: n, HaloDeg: halo, Source: absManifest, Inputs: inputs}
		for _, t := range tiles {
			info.Tiles = append(info.Tiles, [4]float64{t.Min[0], t.Min[1], t.Max[0], t.Max[1]})
		}
		if err := writeManifest(filepath.Join(dir, filepath.Base(manifest)), src, info); err != nil {
			return nil, err
		}
		for _, extra := range []string{m.RulesPath, m.DecisionsPath} {
			if extra == "" {
				continue
			}
			rel, err := filepath.Rel(m.Dir, extra)
			if err != nil || strings.HasPrefix(rel, "..") {
				return nil, fmt.Errorf("tiling: %s lies outside the plan set's directory", extra)
			}
			if err := copyFile(extra, filepath.Join(dir, rel)); err != nil {
				return nil, err
			}
		}
	}
	// Pass 2: each feature into every tile it touches.
	for _, l := range m.Layers {
		rel, _ := filepath.Rel(m.Dir, l.Path)
		w := make([]*tileWriter, n)
		for k := range tiles {
			tw, err := newTileWriter(filepath.Join(out, "tile-"+strconv.Itoa(k), rel))
			if err != nil {
				return nil, err
			}
			w[k] = tw
		}
		err := eachFeature(ctx, l, io.Discard, func(f rawFeature) error {
			for k, t := range tiles {
				// A feature without a readable box (null or broken
				// geometry) goes to tile 0 only: the whole run reports it,
				// and the merge takes such findings from the original set.
				// Boundary layers go whole to every tile: they are small,
				// and rules resolve cities and districts against them.
				if l.Level == planning.Boundary || (f.ok && t.Touches(f.bound, halo)) || (!f.ok && k == 0) {
					if err := w[k].add(f); err != nil {
						return err
					}
					sum.Features[k]++
				}
			}
			return nil
		})
		for _, tw := range w {
			if cerr := tw.close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return sum, nil
}

// TileInput records an original layer in each tile's manifest, so merge
// can check that the parts come from the same inputs.
type TileInput struct {
	Layer    string `yaml:"layer"`
	File     string `yaml:"file"`
	SHA256   string `yaml:"sha256"`
	Features int    `yaml:"features"`
}

// Info is the tile: section of a tile's manifest.
type Info struct {
	Index   int          `yaml:"index"`
	Count   int          `yaml:"count"`
	Tiles   [][4]float64 `yaml:"tiles,flow"` // minx, miny, maxx, maxy of every tile, ±.inf at the edges
	HaloDeg float64      `yaml:"halo_deg"`
	Source  string       `yaml:"source"` // the original manifest
	Inputs  []TileInput  `yaml:"inputs"`
}

// Boxes are the tiles of the info.
func (in Info) Boxes() []Box {
	out := make([]Box, len(in.Tiles))
	for i, t := range in.Tiles {
		out[i] = Box{Min: orb.Point{t[0], t[1]}, Max: orb.Point{t[2], t[3]}}
	}
	return out
}

// ReadInfo reads the tile: section of a manifest; ok is false for a plan
// set that is not a tile.
func ReadInfo(manifest string) (Info, bool, error) {
	if kind := geo.NotRegular(manifest); kind != "" {
		// Not a tile; the manifest reader explains (and never blocks on a
		// pipe).
		return Info{}, false, nil
	}
	data, err := os.ReadFile(manifest)
	if err != nil {
		return Info{}, false, fmt.Errorf("tiling: %w", err)
	}
	var doc struct {
		Tile *Info `yaml:"tile"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return Info{}, false, fmt.Errorf("tiling: %s: %w", manifest, err)
	}
	if doc.Tile == nil {
		return Info{}, false, nil
	}
	if doc.Tile.Count < 1 || doc.Tile.Index < 0 || doc.Tile.Index >= doc.Tile.Count || len(doc.Tile.Tiles) != doc.Tile.Count {
		return Info{}, false, fmt.Errorf("tiling: %s: tile section is inconsistent (index %d of %d, %d boxes)", manifest, doc.Tile.Index, doc.Tile.Count, len(doc.Tile.Tiles))
	}
	return *doc.Tile, true, nil
}

func writeManifest(path string, src []byte, info Info) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("tiling: %w", err)
	}
	var b bytes.Buffer
	b.Write(src)
	if len(src) > 0 && src[len(src)-1] != '\n' {
		b.WriteByte('\n')
	}
	b.WriteString("# Written by plancheck tile: one tile of the plan set above; check it with\n# plancheck check DIR --out part-K, then plancheck merge the parts.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(map[string]Info{"tile": info}); err != nil {
		return fmt.Errorf("tiling: %w", err)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("tiling: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return fmt.Errorf("tiling: %w", err)
	}
	return os.WriteFile(to, data, 0o644)
}

// rawFeature is one feature as the tile step sees it: its text, where it
// was, its box in lon/lat and, for corridors, its width.
type rawFeature struct {
	text   json.RawMessage
	index  int
	line   int
	bound  orb.Bound
	ok     bool // bound is known
	widthM float64
}

// eachFeature streams the features of a layer's file, passing the file's
// bytes through digest as they are read.
func eachFeature(ctx context.Context, l planning.LayerSpec, digest io.Writer, fn func(rawFeature) error) error {
	f, err := os.Open(l.Path)
	if err != nil {
		return fmt.Errorf("tiling: %w", err)
	}
	defer f.Close()
	nl := &newlines{}
	br := bufio.NewReaderSize(io.TeeReader(io.TeeReader(f, digest), nl), 1<<20)
	skipped := int64(0) // a UTF-8 BOM before the decoder's offsets
	if bom, err := br.Peek(3); err == nil && bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
		_, _ = br.Discard(3)
		skipped = 3
	}
	dec := json.NewDecoder(br)
	fail := func(format string, args ...any) error {
		return fmt.Errorf("tiling: %s: %s (run plancheck validate for the details)", l.File, fmt.Sprintf(format, args...))
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fail("not a GeoJSON object")
	}
	crs := geo.WGS84
	if l.CRSDeclared {
		crs = l.CRS
	}
	widthKey := l.Fields.Width
	if widthKey == "" {
		widthKey = "width_m"
	}
	classKey := l.Fields.Class
	if classKey == "" {
		classKey = "class"
	}
	sawFeatures := false
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return fail("%v", err)
		}
		key, _ := kt.(string)
		switch key {
		case "crs":
			var member struct {
				Properties struct {
					Name string `json:"name"`
				} `json:"properties"`
			}
			if err := dec.Decode(&member); err != nil {
				return fail("crs: %v", err)
			}
			if c, err := geo.ParseCRS(member.Properties.Name); err == nil && !l.CRSDeclared {
				crs = c
			}
		case "features":
			sawFeatures = true
			if t, err := dec.Token(); err != nil || t != json.Delim('[') {
				return fail("features is not a list")
			}
			for index := 0; dec.More(); index++ {
				if err := ctx.Err(); err != nil {
					return err
				}
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return fail("feature %d: %v", index, err)
				}
				start := skipped + dec.InputOffset() - int64(len(raw))
				rf := rawFeature{text: raw, index: index, line: nl.lineAt(start)}
				rf.bound, rf.ok = featureBound(raw, crs)
				if l.Level == planning.Infrastructure {
					rf.widthM = corridorWidth(raw, widthKey, classKey)
				}
				if err := fn(rf); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return fail("%v", err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail("%s: %v", key, err)
			}
		}
	}
	if !sawFeatures {
		return fail("no features member")
	}
	// Drain the rest, so the digest covers the whole file.
	_, err = io.Copy(io.Discard, br)
	return err
}

// featureBound is the lon/lat box of a feature's coordinates, false when
// it has none that can be read. It scans the text for the positions of
// every "coordinates" member (GeometryCollections have several) without
// building the geometry: the tile step only needs boxes, and a decode to
// generic values cost it most of its time.
func featureBound(raw json.RawMessage, crs geo.CRS) (orb.Bound, bool) {
	b := orb.Bound{Min: orb.Point{math.Inf(1), math.Inf(1)}, Max: orb.Point{math.Inf(-1), math.Inf(-1)}}
	seen := false
	key := []byte(`"coordinates"`)
	for rest := []byte(raw); ; {
		i := bytes.Index(rest, key)
		if i < 0 {
			break
		}
		rest = rest[i+len(key):]
		rest = scanPositions(rest, func(x, y float64) {
			lon, lat := crs.ToLonLat(x, y)
			if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
				return
			}
			b = b.Extend(orb.Point{lon, lat})
			seen = true
		})
	}
	if !seen {
		return orb.Bound{}, false
	}
	if !crs.Geographic {
		// A projected box converted corner by corner can miss the curved
		// edges of the true one by metres; the halo margin covers that
		// for tiles, and this keeps the box a superset.
		const eps = 1e-6
		b.Min[0], b.Min[1], b.Max[0], b.Max[1] = b.Min[0]-eps, b.Min[1]-eps, b.Max[0]+eps, b.Max[1]+eps
	}
	return b, true
}

// scanPositions reads the nested arrays after a "coordinates" key and
// calls fn with the first two numbers of every innermost array; it
// returns the text after them.
func scanPositions(s []byte, fn func(x, y float64)) []byte {
	depth, started := 0, false
	var nums [2]float64
	n := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '[':
			depth++
			started = true
			n = 0
		case c == ']':
			if n >= 2 {
				fn(nums[0], nums[1])
			}
			n = 0
			depth--
			if started && depth == 0 {
				return s[i+1:]
			}
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(s) && (s[j] == '.' || s[j] == 'e' || s[j] == 'E' || s[j] == '+' || s[j] == '-' || (s[j] >= '0' && s[j] <= '9')) {
				j++
			}
			if v, err := strconv.ParseFloat(string(s[i:j]), 64); err == nil && n < 2 {
				nums[n] = v
			}
			n++
			i = j - 1
		case !started && c != ':' && c != ' ' && c != '\t' && c != '\n' && c != '\r':
			return s[i:] // "coordinates" was not followed by an array
		}
	}
	return nil
}

// corridorWidth is a line feature's corridor width: its width property, or
// its class's default, or the widest default.
func corridorWidth(raw json.RawMessage, widthKey, classKey string) float64 {
	var f struct {
		Properties map[string]any `json:"properties"`
	}
	_ = json.Unmarshal(raw, &f)
	w := 0.0
	switch v := f.Properties[widthKey].(type) {
	case float64:
		w = v
	case string:
		w, _ = strconv.ParseFloat(strings.TrimSpace(v), 64)
	}
	if cls, ok := f.Properties[classKey].(string); ok {
		if c, err := planning.LookupClass(planning.Infrastructure, "", cls); err == nil {
			w = max(w, c.DefaultWidthM)
		}
	}
	if math.IsNaN(w) || math.IsInf(w, 0) {
		return 0
	}
	return w
}

// newlines records where the line breaks of a stream are, to give each
// feature the line its text starts on.
type newlines struct {
	off int64
	at  []int64
}

func (n *newlines) Write(p []byte) (int, error) {
	for i, c := range p {
		if c == '\n' {
			n.at = append(n.at, n.off+int64(i))
		}
	}
	n.off += int64(len(p))
	return len(p), nil
}

// lineAt is the 1-based line of an offset of the decoded text (after a
// BOM, which holds no break), as the GeoJSON reader counts.
func (n *newlines) lineAt(off int64) int {
	return 1 + sort.Search(len(n.at), func(i int) bool { return n.at[i] >= off })
}

// tileWriter writes one layer file of one tile as a FeatureCollection,
// one feature per line, and its .origin file.
type tileWriter struct {
	path      string
	f, origin *os.File
	w, ow     *bufio.Writer
	n         int
}

func newTileWriter(path string) (*tileWriter, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("tiling: %w", err)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("tiling: %w", err)
	}
	o, err := os.Create(path + OriginSuffix)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("tiling: %w", err)
	}
	tw := &tileWriter{path: path, f: f, origin: o, w: bufio.NewWriterSize(f, 1<<20), ow: bufio.NewWriter(o)}
	tw.w.WriteString(`{"type":"FeatureCollection","features":[`)
	return tw, nil
}

func (t *tileWriter) add(f rawFeature) error {
	if t.n > 0 {
		t.w.WriteByte(',')
	}
	t.w.WriteByte('\n')
	t.w.Write(f.text)
	_, err := fmt.Fprintf(t.ow, "%d %d\n", f.index, f.line)
	t.n++
	return err
}

func (t *tileWriter) close() error {
	t.w.WriteString("\n]}\n")
	errs := []error{t.w.Flush(), t.ow.Flush(), t.f.Close(), t.origin.Close()}
	return errors.Join(errs...)
}

package geo

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/paulmach/orb"
)

// Feature is one GeoJSON Feature as read from a layer file. Geometry is in
// lon/lat (WGS84) after the layer's CRS has been applied.
type Feature struct {
	Index int // position in the FeatureCollection, from 0
	Line  int // line of the feature's opening brace; 0 when unknown
	// ID is the Feature "id" member as a string; HasID is false when the
	// member is absent or null.
	ID         string
	Geometry   orb.Geometry // nil for a null geometry or one that could not be read
	Properties map[string]any
	// Attributes is what ReadOptions.Attributes made of the properties,
	// when set (Properties is then nil).
	Attributes any
	HasID      bool
	// Invalid is set when the feature has a geometry problem; such a feature
	// takes part in no rule.
	Invalid bool
}

// ProblemKind says what a Problem is about, so callers can map it to rules.
type ProblemKind int

const (
	// ProblemGeometry: the feature's geometry is unusable (structure, ring,
	// coordinate or OGC validity). One per feature at most.
	ProblemGeometry ProblemKind = iota
	// ProblemFeature: the feature's JSON structure is wrong outside its
	// geometry (properties not an object, bad id type, wrong type member).
	ProblemFeature
	// ProblemNullGeometry: the feature has a null geometry (allowed by
	// RFC 7946, but it takes part in nothing).
	ProblemNullGeometry
	// ProblemWinding: rings against the right-hand rule (a warning: RFC 7946
	// says parsers must not reject them).
	ProblemWinding
	// ProblemCRS: a CRS remark for the whole layer.
	ProblemCRS
)

// Problem is something wrong with a feature (Feature >= 0) or with the
// whole layer (Feature == -1).
type Problem struct {
	Kind    ProblemKind
	Feature int // index into Layer.Features, or -1
	Line    int
	Message string
	At      *orb.Point // lon/lat "at or near", when known
}

// Layer is the content of one GeoJSON file.
type Layer struct {
	File     string
	CRS      CRS
	Features []Feature
	Problems []Problem
	SHA256   string
	Bytes    int64
}

// ReadOptions controls ReadLayer.
type ReadOptions struct {
	// CRS is the CRS the manifest declares; nil means "not declared": the
	// file's old-style crs member is honoured, else WGS84.
	CRS *CRS
	// GeometryTypes lists the GeoJSON geometry types the layer may hold;
	// another type is a geometry problem. Nil allows every type.
	GeometryTypes []string
	// LayerKind names the layer in type messages, e.g. "city-master".
	LayerKind string
	// MaxVertices bounds the positions of one feature; a feature with more
	// is a geometry problem. 0 means DefaultMaxVertices.
	MaxVertices int
	// MaxBytes bounds the file size; a larger file is refused. 0 means
	// DefaultMaxBytes.
	MaxBytes int64
	// Attributes, when set, turns each feature's properties (none when
	// absent or not an object) into the value kept in Feature.Attributes;
	// Feature.Properties is then nil. It runs on the worker that parsed
	// the feature, concurrently with other calls: a caller that needs a
	// few typed fields of a million features keeps those instead of a
	// million maps.
	Attributes func(props Properties) any
	// Consume, when set, receives each feature once it is complete, in
	// file order (n is the number of features), and Layer.Features stays
	// nil: a caller that turns features into its own type never holds
	// both forms of a million features at once.
	Consume func(n, i int, f *Feature)
}

// Defaults of the input limits: generous for real plans (a city's land-use
// layer is well under both), small enough that hostile input cannot
// exhaust an office machine's memory.
const (
	DefaultMaxVertices       = 1_000_000
	DefaultMaxBytes    int64 = 4 << 30
)

// ErrTooLarge marks a file over ReadOptions.MaxBytes.
var ErrTooLarge = errors.New("file is larger than the limit")

// TooLargeError is a file refused for its size; it matches ErrTooLarge.
// Which option raises the limit is for the caller to say.
type TooLargeError struct {
	File  string
	Limit int64 // bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("geo: %s: %v (%d bytes)", e.File, ErrTooLarge, e.Limit)
}

func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// ErrUnreadable marks a file that is not JSON or not GeoJSON; it is the
// only fatal input error.
var ErrUnreadable = errors.New("unreadable GeoJSON")

// ReadLayer reads a GeoJSON file: a FeatureCollection, a single Feature or a
// bare geometry. Problems with single features are returned as Problems;
// an error means the file as a whole could not be read.
func ReadLayer(ctx context.Context, path string, opts ReadOptions) (*Layer, error) {
	// Opening a named pipe blocks until something writes to it, beyond
	// the reach of ctx: refuse anything but a regular file first.
	if kind := NotRegular(path); kind != "" {
		return nil, fmt.Errorf("geo: %s: %w: %s, not a regular file", path, ErrUnreadable, kind)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("geo: %w", err)
	}
	defer f.Close()
	l, err := DecodeLayer(ctx, f, path, opts)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// NotRegular says what path is when it exists but is not a regular file:
// "a directory", "a named pipe", "a device", "a socket" or "a special
// file"; otherwise "".
func NotRegular(path string) string {
	st, err := os.Stat(path)
	if err != nil || st.Mode().IsRegular() {
		return ""
	}
	switch m := st.Mode(); {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// DecodeLayer is ReadLayer on a reader; name is used in messages.
func DecodeLayer(ctx context.Context, r io.Reader, name string, opts ReadOptions) (*Layer, error) {
	return decodeLayer(ctx, r, name, opts, false)
}

// decodeLayer is DecodeLayer; generalOnly reads every feature with the
// general parser, for tests that compare it with fastFeature.
func decodeLayer(ctx context.Context, r io.Reader, name string, opts ReadOptions, generalOnly bool) (*Layer, error) {
	if opts.MaxVertices <= 0 {
		opts.MaxVertices = DefaultMaxVertices
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	lr := newLineReader(r)
	defer lr.hash.stop()
	lr.max = opts.MaxBytes
	d := &decoder{ctx: ctx, name: name, lines: lr, opts: opts, generalOnly: generalOnly}
	layer, err := d.decode()
	if errors.Is(lr.err, ErrTooLarge) {
		return nil, &TooLargeError{File: name, Limit: opts.MaxBytes}
	}
	if err != nil {
		return nil, err
	}
	layer.File = name
	layer.SHA256 = lr.sum()
	layer.Bytes = lr.n
	return layer, nil
}

type decoder struct {
	ctx   context.Context
	name  string
	lines *lineReader
	opts  ReadOptions
	bom   int64 // length of a skipped UTF-8 BOM: file offset = scanner offset + bom
	// generalOnly turns off fastFeature, for tests that compare the two
	// parsers.
	generalOnly bool
}

func (d *decoder) unreadable(format string, args ...any) error {
	return fmt.Errorf("geo: %s: %w: %s", d.name, ErrUnreadable, fmt.Sprintf(format, args...))
}

// syntax turns a scanning error into the file's error.
func (d *decoder) syntax(err error) error {
	if errors.Is(err, ErrTooLarge) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return d.unreadable("not JSON: %v", err)
}

// featureChunks holds parsed features in the batches they were parsed
// in, so no slice of them is ever grown and copied.
type featureChunks [][]rawFeature

// featureBatch is the most features parsed as one batch.
const featureBatch = 256

// maxBatchBytes ends a batch early when its features' text reaches it, so
// the two batches in flight (one cut, one parsed) hold a bounded amount
// of text however large the features.
const maxBatchBytes = 16 << 20

func (c featureChunks) len() int {
	n := 0
	for _, part := range c {
		n += len(part)
	}
	return n
}

// rawFeature keeps a feature's geometry in source coordinates (in
// Geometry) until the CRS is known (an old-style crs member may follow
// the features); finish then replaces it with the placed geometry.
type rawFeature struct {
	Feature
	hasGeom bool // the geometry member is present and not null
	typed   bool // Attributes applied
	// issues is nil for the common feature without problems: a million
	// features keep one pointer each instead of two slices.
	issues *featureIssues
}

// featureIssues are a feature's problems found while parsing.
type featureIssues struct {
	problems []Problem
	// geom are the geometry parser's findings; finish adds its own.
	geom []geomProblem
}

// addProblem records a problem of the feature outside its geometry.
func (rf *rawFeature) addProblem(p Problem) {
	if rf.issues == nil {
		rf.issues = &featureIssues{}
	}
	rf.issues.problems = append(rf.issues.problems, p)
}

// setGeomProblems records the geometry parser's findings.
func (rf *rawFeature) setGeomProblems(ps []geomProblem) {
	if len(ps) == 0 {
		return
	}
	if rf.issues == nil {
		rf.issues = &featureIssues{}
	}
	rf.issues.geom = ps
}

func (rf *rawFeature) geomProblems() []geomProblem {
	if rf.issues == nil {
		return nil
	}
	return rf.issues.geom
}

// Buffers a layer read needs whatever its size are reused from layer to
// layer: a plan set of many small layers would otherwise spend more on
// allocating and zeroing them than on its features.
var streamBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 1<<16) }}

func (d *decoder) decode() (*Layer, error) {
	br := streamBuffers.Get().(*bufio.Reader)
	br.Reset(d.lines)
	defer func() {
		br.Reset(nil)
		streamBuffers.Put(br)
	}()
	bom, err := skipBOM(br)
	if err != nil {
		return nil, d.unreadable("%v", err)
	}
	d.bom = bom
	top, err := d.topLevel(&streamScanner{r: br})
	if err != nil {
		return nil, err
	}
	layer := &Layer{}
	raws, err := d.topFeatures(top, layer)
	if err != nil {
		return nil, err
	}
	rawCRS, _ := lookup(top.members, "crs")
	crs, crsProblem, err := d.resolveCRS(rawCRS)
	if err != nil {
		return nil, err
	}
	layer.CRS = crs
	if crsProblem != nil {
		layer.Problems = append(layer.Problems, *crsProblem)
	}
	return d.assemble(raws, layer)
}

// topObject is the file's top-level object: its members but "features",
// whose features are parsed as they stream by.
type topObject struct {
	members  []member
	raws     featureChunks
	sawFeats bool
	line     int // of the opening brace
}

// topLevel reads the top-level object, parsing the features of its
// "features" member on the way, and checks that nothing follows it.
func (d *decoder) topLevel(s *streamScanner) (topObject, error) {
	var top topObject
	if c, err := s.peek(); err != nil {
		return top, d.unreadable("not JSON: %v", s.eof(err))
	} else if c != '{' {
		if v, err := s.value(nil); err == nil && json.Valid(v) {
			return top, d.unreadable("top level is not a JSON object")
		}
		return top, d.unreadable("not JSON: invalid character %q at the start of the file", c)
	}
	top.line = d.lines.lineAt(d.bom + s.off)
	s.r.Discard(1)
	s.off++
	c, err := s.peek()
	if err != nil {
		return top, d.syntax(s.eof(err))
	}
	if c == '}' {
		s.r.Discard(1)
		s.off++
	} else {
		for {
			key, err := d.topMember(s, &top)
			if err != nil {
				return top, err
			}
			c, err := s.peek()
			if err != nil {
				return top, d.syntax(s.eof(err))
			}
			s.r.Discard(1)
			s.off++
			if c == '}' {
				break
			}
			if c != ',' {
				return top, d.syntax(s.errf("expected ',' or '}' after member %q, found %q", key, c))
			}
		}
	}
	if _, err := s.peek(); err != io.EOF {
		if err != nil {
			return top, d.syntax(err)
		}
		return top, d.unreadable("trailing data after the top-level object")
	}
	return top, nil
}

// topMember reads one member of the top-level object into top.
func (d *decoder) topMember(s *streamScanner, top *topObject) (key string, err error) {
	keyRaw, err := s.value(nil)
	if err != nil {
		return "", d.syntax(err)
	}
	if key, err = unquote(keyRaw); err != nil {
		return "", d.syntax(s.errf("expected a member name"))
	}
	if err := s.expect(':'); err != nil {
		return key, d.syntax(err)
	}
	if key == "features" {
		if top.sawFeats {
			return key, d.unreadable("duplicate \"features\" member")
		}
		top.sawFeats = true
		top.raws, err = d.features(s)
		return key, err
	}
	v, err := s.value(nil)
	if err != nil {
		return key, d.syntax(err)
	}
	if !json.Valid(v) {
		return key, d.unreadable("not JSON: malformed value of %q", key)
	}
	if _, dup := lookup(top.members, key); dup && (key == "type" || key == "crs") {
		return key, d.unreadable("duplicate %q member", key)
	}
	top.members = append(top.members, member{key: key, val: v})
	return key, nil
}

// topFeatures are the features the top-level object stands for by its
// type: a FeatureCollection's, a lone Feature, or a bare geometry as one
// feature. Problems of the object itself go to layer.
func (d *decoder) topFeatures(top topObject, layer *Layer) (featureChunks, error) {
	var typ string
	if t, ok := lookup(top.members, "type"); !ok {
		return nil, d.unreadable("top-level object has no \"type\" member")
	} else if err := json.Unmarshal(t, &typ); err != nil {
		return nil, d.unreadable("top-level \"type\" is not a string")
	}
	bbox, _ := lookup(top.members, "bbox")
	switch typ {
	case "FeatureCollection":
		if !top.sawFeats {
			return nil, d.unreadable("FeatureCollection has no \"features\" member")
		}
		if msg := bboxProblem(bbox); msg != "" {
			layer.Problems = append(layer.Problems, Problem{Kind: ProblemFeature, Feature: -1, Line: top.line, Message: "FeatureCollection " + msg})
		}
		return top.raws, nil
	case "Feature":
		if top.sawFeats {
			return nil, d.unreadable("a Feature has a \"features\" member")
		}
		raw, err := d.feature(0, top.line, objectBytes(top.members), nil)
		if err != nil {
			return nil, err
		}
		return featureChunks{{raw}}, nil
	case "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection":
		if top.sawFeats {
			return nil, d.unreadable("a %s geometry has a \"features\" member", typ)
		}
		raw := rawFeature{Feature: Feature{Index: 0, Line: top.line}, hasGeom: true}
		parser := d.newParser(0, top.line)
		src, err := parser.parseGeometry(objectBytes(top.members), 0)
		if err != nil {
			return nil, d.syntax(err)
		}
		raw.Geometry = src
		raw.setGeomProblems(parser.problems)
		if msg := bboxProblem(bbox); msg != "" {
			raw.addProblem(Problem{Kind: ProblemFeature, Feature: 0, Line: top.line, Message: "geometry " + msg})
		}
		return featureChunks{{raw}}, nil
	}
	return nil, d.unreadable("top-level \"type\" is %q, not a GeoJSON type (FeatureCollection, Feature or a geometry)", typ)
}

// assemble places and checks the parsed features of a layer whose CRS is
// set, and hands them on (ReadOptions.Consume) or keeps them, with their
// problems in feature order.
func (d *decoder) assemble(raws featureChunks, layer *Layer) (*Layer, error) {
	crs := layer.CRS
	// Placing and validating geometry is independent per feature: spread
	// it over all cores, then gather the problems in file order.
	onAllCores(d.ctx, runtime.GOMAXPROCS(0), len(raws), func(_, k int) {
		for j := range raws[k] {
			if rf := &raws[k][j]; rf.hasGeom {
				var probs []geomProblem
				rf.Geometry, probs = d.finish(rf, crs)
				rf.setGeomProblems(probs)
			}
		}
	})
	if err := d.ctx.Err(); err != nil {
		return nil, err
	}

	projectedLooking, firstProjectedLine := 0, 0
	swappedLooking, firstSwappedLine := 0, 0
	n := raws.len()
	if d.opts.Consume == nil {
		layer.Features = make([]Feature, n)
	}
	i := 0
	for k, part := range raws {
		raws[k] = nil // let the batch go once its features are handed on
		for j := range part {
			rf := &part[j]
			if rf.issues != nil {
				layer.Problems = append(layer.Problems, rf.issues.problems...)
			}
			switch {
			case rf.hasGeom:
				g, probs := rf.Geometry, rf.geomProblems()
				if len(probs) > 0 {
					rf.Invalid = true
					// One geometry problem per feature: the first is the one a
					// reviewer fixes first; the others usually follow from it.
					layer.Problems = append(layer.Problems, probs[0].Problem)
					if probs[0].looksProjected {
						projectedLooking++
						if projectedLooking == 1 {
							firstProjectedLine = rf.Line
						}
					}
					if probs[0].looksSwapped {
						swappedLooking++
						if swappedLooking == 1 {
							firstSwappedLine = rf.Line
						}
					}
				} else if w := windingProblem(g); w != "" {
					layer.Problems = append(layer.Problems, Problem{Kind: ProblemWinding, Feature: rf.Index, Line: rf.Line, Message: w, At: firstPoint(g)})
				}
			case !rf.Invalid:
				layer.Problems = append(layer.Problems, Problem{Kind: ProblemNullGeometry, Feature: rf.Index, Line: rf.Line, Message: "feature has a null geometry; it takes part in no rule"})
			}
			d.typeAttributes(rf) // a lone Feature or geometry, not yet typed
			if d.opts.Consume != nil {
				d.opts.Consume(n, i, &rf.Feature)
			} else {
				layer.Features[i] = rf.Feature
			}
			i++
		}
	}
	if swappedLooking > 0 && crs.Geographic {
		// Hundreds of out-of-range errors are one mistake: say it once.
		layer.Problems = append(layer.Problems, Problem{Kind: ProblemCRS, Feature: -1, Line: firstSwappedLine,
			Message: fmt.Sprintf("%d feature(s) have out-of-range coordinates that read as latitude, longitude (e.g. 28.2 112.9 for Changsha): GeoJSON positions are [longitude, latitude] (RFC 7946 §3.1.1); swap the axes in the export", swappedLooking)})
	}
	if projectedLooking > 0 && crs.Geographic {
		layer.Problems = append(layer.Problems, Problem{Kind: ProblemCRS, Feature: -1, Line: firstProjectedLine,
			Message: fmt.Sprintf("layer is declared geographic (%s) but %d feature(s) have coordinates that look projected (metres); declare its crs, e.g. EPSG:4547 (CGCS2000 3-degree GK CM 114°E) or EPSG:4526 (with zone prefix)", crs, projectedLooking)})
	}
	sort.SliceStable(layer.Problems, func(i, j int) bool { return layer.Problems[i].Feature < layer.Problems[j].Feature })
	return layer, nil
}

func (d *decoder) newParser(index, line int) geomParser {
	return geomParser{feature: index, line: line, allowed: d.opts.GeometryTypes, what: d.opts.LayerKind, maxVertices: d.opts.MaxVertices}
}

// objectBytes writes members back as one JSON object.
func objectBytes(ms []member) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// features streams the features array one feature at a time: each is
// parsed as soon as it is read and its text is dropped, so a large file
// never sits in memory.
func (d *decoder) features(s *streamScanner) (featureChunks, error) {
	if err := s.expect('['); err != nil {
		if se := (*syntaxError)(nil); errors.As(err, &se) {
			return nil, d.unreadable("\"features\" is not an array")
		}
		return nil, d.syntax(err)
	}
	c, err := s.peek()
	if err != nil {
		return nil, d.syntax(s.eof(err))
	}
	if c == ']' {
		s.r.Discard(1)
		s.off++
		return nil, nil
	}
	// Features are cut from the stream one by one and parsed in batches
	// on all cores, in file order. While one batch is parsed the next is
	// cut, so the cutting does not leave the other cores idle.
	var (
		chunks   featureChunks
		cur      = getCutBatch()
		spare    = getCutBatch()
		inflight *cutBatch
	)
	defer func() {
		// Every return waits for the batch being parsed first.
		putCutBatch(cur)
		putCutBatch(spare)
	}()
	// One arena per worker slot, kept across batches: slot w is used by
	// one goroutine at a time, as only one batch is parsed at a time.
	arenas := make([]*coordArena, runtime.GOMAXPROCS(0))
	for i := range arenas {
		arenas[i] = &coordArena{}
	}
	// wait waits for the batch being parsed and keeps its features; its
	// error, if any, comes before any error found while cutting later
	// features.
	wait := func() error {
		b := inflight
		if b == nil {
			return nil
		}
		inflight = nil
		<-b.done
		for k, it := range b.items {
			if b.errs[k] != nil {
				return d.unreadable("feature %d (line %d): not JSON: %v", it.index, it.line, b.errs[k])
			}
		}
		// Each batch keeps its own slice: growing one slice of large
		// structs would copy every feature again at each doubling.
		n := len(b.items)
		chunks = append(chunks, b.parsed[:n:n])
		b.parsed, b.items, b.bytes = nil, b.items[:0], 0
		spare = b
		return nil
	}
	launch := func() {
		b := cur
		b.parsed = make([]rawFeature, len(b.items))
		b.done = make(chan struct{})
		go func() {
			defer close(b.done)
			onAllCores(d.ctx, len(arenas), len(b.items), func(w, k int) {
				it := b.items[k]
				b.parsed[k], b.errs[k] = d.feature(it.index, it.line, it.raw, arenas[w])
				d.typeAttributes(&b.parsed[k])
			})
		}()
		inflight, cur, spare = b, spare, nil
	}
	// fail returns err, found while cutting, unless a feature before it
	// is malformed: the batch being parsed and the features of the batch
	// being cut lie earlier in the file, so their errors come first.
	fail := func(err error) error {
		werr := wait()
		if isContextError(err) {
			return err
		}
		if werr == nil && len(cur.items) > 0 {
			launch()
			werr = wait()
		}
		if werr != nil {
			return werr
		}
		return err
	}
	for i := 0; ; i++ {
		if i%1024 == 0 {
			if err := d.ctx.Err(); err != nil {
				return nil, fail(err)
			}
		}
		if _, err := s.peek(); err != nil {
			return nil, fail(d.syntax(s.eof(err)))
		}
		line := d.lines.lineAt(d.bom + s.off)
		raw, err := s.value(cur.buffer())
		if err != nil {
			if errors.Is(err, ErrTooLarge) {
				return nil, fail(err)
			}
			return nil, fail(d.unreadable("feature %d (line %d): not JSON: %v", i, line, err))
		}
		cur.add(i, line, raw)
		if len(cur.items) == featureBatch || cur.bytes >= maxBatchBytes {
			if err := wait(); err != nil {
				return nil, err
			}
			launch()
		}
		c, err := s.peek()
		if err != nil {
			return nil, fail(d.syntax(s.eof(err)))
		}
		s.r.Discard(1)
		s.off++
		if c == ']' {
			if err := wait(); err != nil {
				return nil, err
			}
			if len(cur.items) > 0 {
				launch()
				if err := wait(); err != nil {
					return nil, err
				}
			}
			return chunks, nil
		}
		if c != ',' {
			return nil, fail(d.syntax(s.errf("expected ',' or ']' between features, found %q", c)))
		}
	}
}

// cutBatch is up to featureBatch features cut from the stream, and then
// their parse.
type cutBatch struct {
	items  []batchItem
	bytes  int      // text in items
	bufs   [][]byte // feature text, reused from batch to batch
	parsed []rawFeature
	errs   []error
	done   chan struct{} // closed when the parse is over
}

type batchItem struct {
	index, line int
	raw         []byte
}

var cutBatches = sync.Pool{New: func() any {
	return &cutBatch{items: make([]batchItem, 0, featureBatch), bufs: make([][]byte, featureBatch), errs: make([]error, featureBatch)}
}}

func getCutBatch() *cutBatch { return cutBatches.Get().(*cutBatch) }

// putCutBatch returns a batch for reuse, unless a huge feature grew its
// buffers.
func putCutBatch(b *cutBatch) {
	if b == nil {
		return
	}
	for _, buf := range b.bufs {
		if cap(buf) > 1<<20 {
			return
		}
	}
	clear(b.items[:cap(b.items)])
	clear(b.errs)
	b.items, b.parsed, b.done, b.bytes = b.items[:0], nil, nil, 0
	cutBatches.Put(b)
}

// buffer returns the reusable buffer for the next feature's text.
func (b *cutBatch) buffer() []byte { return b.bufs[len(b.items)][:0] }

func (b *cutBatch) add(index, line int, raw []byte) {
	b.bytes += len(raw)
	b.bufs[len(b.items)] = raw
	b.items = append(b.items, batchItem{index, line, raw})
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// onAllCores calls fn(w, i) for every i in [0, n) on up to workers
// goroutines and returns when all are done. Worker w (0 ≤ w < workers)
// takes i = w, w+workers, …, so per-worker state can be indexed by w; the
// caller fixes workers (usually GOMAXPROCS), as GOMAXPROCS itself may
// change while a layer is read. A worker stops if ctx is done (checked
// every 1024 items); the caller checks ctx.
func onAllCores(ctx context.Context, workers, n int, fn func(w, i int)) {
	workers = max(1, min(workers, n))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k, i := 0, w; i < n; k, i = k+1, i+workers {
				if k%1024 == 0 && ctx.Err() != nil {
					return
				}
				fn(w, i)
			}
		}()
	}
	wg.Wait()
}

// typeAttributes applies ReadOptions.Attributes, once, to a feature that
// feature did not type: one whose properties are null, absent or not an
// object, which reads as no properties.
func (d *decoder) typeAttributes(rf *rawFeature) {
	if d.opts.Attributes == nil || rf.typed {
		return
	}
	rf.Attributes, rf.typed = d.opts.Attributes(Properties{}), true
}

var featureScratchPool = sync.Pool{New: func() any { return new(featureScratch) }}

// putFeatureScratch returns scratch lists to the pool, unless one huge
// feature grew them.
func putFeatureScratch(sc *featureScratch) {
	if cap(sc.points) > 1<<16 {
		sc.points = nil
	}
	featureScratchPool.Put(sc)
}

// feature parses one feature object. Structural problems become Problems
// on the feature; only malformed JSON is an error.
func (d *decoder) feature(index, line int, raw []byte, arena *coordArena) (rawFeature, error) {
	lists := featureScratchPool.Get().(*featureScratch)
	defer putFeatureScratch(lists)
	if !d.generalOnly {
		if rf, ok := d.fastFeature(index, line, raw, arena, lists); ok {
			return rf, nil
		}
	}
	rf := rawFeature{Feature: Feature{Index: index, Line: line}}
	bad := func(kind ProblemKind, format string, args ...any) {
		rf.addProblem(Problem{Kind: kind, Feature: index, Line: line, Message: fmt.Sprintf(format, args...)})
		if kind == ProblemGeometry {
			rf.Invalid = true
		}
	}
	if !utf8.Valid(raw) {
		bad(ProblemFeature, "%s", notUTF8(raw))
	}
	members, err := objectMembersInto(raw, lists.feature)
	lists.feature = members
	if err == errNotObject {
		if !json.Valid(raw) {
			return rf, &syntaxError{msg: "malformed feature"}
		}
		bad(ProblemGeometry, "feature is not a JSON object")
		return rf, nil
	}
	if err != nil {
		return rf, err
	}
	for _, m := range members {
		// The geometry is checked by its parser, the properties by their
		// decoder; everything else here.
		if m.key != "geometry" && m.key != "properties" && !json.Valid(m.val) {
			return rf, &syntaxError{msg: fmt.Sprintf("malformed value of member %q", m.key)}
		}
	}
	if dup := firstDuplicate(members); dup != "" {
		// encoding/json would silently keep the last value; a reviewer
		// must know the file says two things.
		bad(ProblemFeature, "feature has the member %q twice", dup)
	}
	if t, ok := lookup(members, "type"); !ok {
		bad(ProblemFeature, "feature has no \"type\" member")
	} else if typ, err := unquote(bytes.TrimSpace(t)); err != nil || typ != "Feature" {
		bad(ProblemFeature, "feature \"type\" is %s, want \"Feature\"", strings.TrimSpace(string(t)))
	}
	if id, ok := lookup(members, "id"); ok {
		s, has, err := idString(id)
		if err != nil {
			bad(ProblemFeature, "feature \"id\" is %s; RFC 7946 allows a string or a number", strings.TrimSpace(string(id)))
		}
		rf.ID, rf.HasID = s, has
	}
	if p, ok := lookup(members, "properties"); !ok {
		bad(ProblemFeature, "feature has no \"properties\" member (RFC 7946 requires it, null allowed)")
	} else if !bytes.Equal(bytes.TrimSpace(p), []byte("null")) {
		var err error
		if d.opts.Attributes != nil {
			// Typed here, from the members, without a map.
			var ms []member
			if ms, err = checkProperties(p, lists.properties); err == nil {
				lists.properties = ms
				rf.Attributes, rf.typed = d.opts.Attributes(Properties{members: ms}), true
			}
		} else {
			rf.Properties, err = parseProperties(p)
		}
		if err != nil {
			if !json.Valid(p) {
				return rf, &syntaxError{msg: "malformed properties"}
			}
			bad(ProblemFeature, "feature \"properties\" is %s, not an object", kindOf(p))
			rf.Properties = nil
		}
	}
	if bbox, ok := lookup(members, "bbox"); ok {
		if msg := bboxProblem(bbox); msg != "" {
			bad(ProblemFeature, "feature %s", msg)
		}
	}
	g, ok := lookup(members, "geometry")
	if !ok {
		bad(ProblemGeometry, "feature has no \"geometry\" member")
		return rf, nil
	}
	if bytes.Equal(bytes.TrimSpace(g), []byte("null")) {
		return rf, nil
	}
	gm, gerr := objectMembersInto(g, lists.geometry)
	if gerr == nil {
		lists.geometry = gm
	}
	if gerr == nil {
		if bbox, ok := lookup(gm, "bbox"); ok {
			if msg := bboxProblem(bbox); msg != "" {
				bad(ProblemFeature, "geometry %s", msg)
			}
		}
	}
	rf.hasGeom = true
	if rf.Invalid {
		return rf, nil
	}
	parser := d.newParser(index, line)
	parser.arena = arena
	src, err := parser.parseMembers(g, gm, gerr, 0)
	if err != nil {
		return rf, err
	}
	rf.Geometry = src
	rf.setGeomProblems(parser.problems)
	return rf, nil
}

// bboxProblem explains a bbox member that breaks RFC 7946 §5 (an array of
// 2n numbers), or returns "" when it is fine or absent. plancheck does not
// use bbox, but a malformed one shows a broken writer.
func bboxProblem(raw json.RawMessage) string {
	if raw == nil {
		return ""
	}
	var v []json.RawMessage
	if json.Unmarshal(raw, &v) != nil || v == nil {
		return fmt.Sprintf("\"bbox\" is %s, not an array of numbers (RFC 7946 §5)", kindOf(raw))
	}
	if len(v) != 4 && len(v) != 6 {
		return fmt.Sprintf("\"bbox\" has %d element(s); RFC 7946 §5 wants 4 (2D) or 6 (3D) numbers", len(v))
	}
	for _, e := range v {
		var f float64
		if json.Unmarshal(e, &f) != nil {
			return fmt.Sprintf("\"bbox\" holds %s, not a number (RFC 7946 §5)", compact(e))
		}
	}
	return ""
}

func kindOf(raw json.RawMessage) string {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return "empty"
	}
	switch t[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '{':
		return "an object"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func idString(raw json.RawMessage) (string, bool, error) {
	t := bytes.TrimSpace(raw)
	switch {
	case bytes.Equal(t, []byte("null")):
		return "", false, nil
	case len(t) > 0 && t[0] == '"':
		var s string
		err := json.Unmarshal(t, &s)
		return s, err == nil, err
	default:
		var n json.Number
		if err := json.Unmarshal(t, &n); err != nil {
			return "", false, err
		}
		return n.String(), true, nil
	}
}

func (d *decoder) resolveCRS(member json.RawMessage) (CRS, *Problem, error) {
	declared := d.opts.CRS
	if len(member) == 0 || bytes.Equal(bytes.TrimSpace(member), []byte("null")) {
		if declared != nil {
			return *declared, nil, nil
		}
		return WGS84, nil, nil
	}
	var m struct {
		Type       string `json:"type"`
		Properties struct {
			Name string `json:"name"`
		} `json:"properties"`
	}
	name := ""
	if json.Unmarshal(member, &m) == nil && m.Type == "name" {
		name = m.Properties.Name
	}
	fromFile, err := ParseCRS(name)
	if name == "" || err != nil {
		p := &Problem{Kind: ProblemCRS, Feature: -1, Message: fmt.Sprintf("old-style \"crs\" member %s is not a supported EPSG name; it is ignored (RFC 7946 removed the crs member)", compact(member))}
		if declared != nil {
			return *declared, p, nil
		}
		return WGS84, p, nil
	}
	if declared != nil && declared.EPSG != fromFile.EPSG {
		return *declared, &Problem{Kind: ProblemCRS, Feature: -1, Message: fmt.Sprintf("file's old-style \"crs\" member says %s but the manifest declares %s; using the manifest's", fromFile, *declared)}, nil
	}
	return fromFile, &Problem{Kind: ProblemCRS, Feature: -1, Message: fmt.Sprintf("old-style \"crs\" member honoured: %s (RFC 7946 removed the crs member; declare crs in the manifest instead)", fromFile)}, nil
}

func compact(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	s := b.String()
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// skipBOM skips a UTF-8 byte order mark and returns its length. It
// rejects UTF-16 (and UTF-32), with or without a BOM: JSON text starts
// with ASCII, so a NUL among the first bytes means a wide encoding.
func skipBOM(br *bufio.Reader) (int64, error) {
	b, err := br.Peek(3)
	if err == nil && bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
		_, err = br.Discard(3)
		return 3, err
	}
	b, _ = br.Peek(4)
	if (len(b) >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) || bytes.IndexByte(b, 0) >= 0 {
		return 0, errors.New("file is UTF-16; GeoJSON must be UTF-8 (RFC 7946 §11): re-save it as UTF-8")
	}
	return 0, nil
}

// lineReader counts bytes and newlines as the decoder pulls input, so a
// decoder offset can be turned into a line number without keeping the file.
type lineReader struct {
	r        io.Reader
	n        int64
	newlines []int64 // offsets of '\n' not yet passed by a lineAt query
	passed   int     // newlines dropped from the front of newlines
	hash     *hasher
	max      int64 // refuse to read past this many bytes
	err      error // ErrTooLarge once max is passed
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, hash: newHasher()}
}

func (l *lineReader) Read(p []byte) (int, error) {
	if l.max > 0 && l.n >= l.max {
		// One byte past the limit proves the file is larger; stop there.
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.err = ErrTooLarge
			return 0, ErrTooLarge
		}
	}
	if l.max > 0 && int64(len(p)) > l.max-l.n && l.max > l.n {
		p = p[:l.max-l.n]
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; {
		j := bytes.IndexByte(p[i:n], '\n')
		if j < 0 {
			break
		}
		l.newlines = append(l.newlines, l.n+int64(i+j))
		i += j + 1
	}
	l.hash.write(p[:n])
	l.n += int64(n)
	return n, err
}

// lineAt returns the 1-based line of a byte offset. Offsets must not
// decrease between calls; that lets it forget newlines already passed.
func (l *lineReader) lineAt(off int64) int {
	k := sort.Search(len(l.newlines), func(i int) bool { return l.newlines[i] >= off })
	line := l.passed + k + 1
	if k > 4096 {
		l.passed += k
		l.newlines = append(l.newlines[:0], l.newlines[k:]...)
	}
	return line
}

func (l *lineReader) sum() string {
	// The decoder may stop before EOF on an error; ReadLayer only asks for
	// the sum of a fully read file.
	l.hash.stop()
	_, _ = io.Copy(l.hash.h, l.r)
	return hex.EncodeToString(l.hash.h.Sum(nil))
}

// hasher takes the SHA-256 of what passes through the reader on a
// goroutine of its own: it is a tenth of the work of reading a layer, and
// would otherwise sit on the goroutine that cuts features, which the
// parse workers wait for.
type hasher struct {
	h      hash.Hash
	chunks chan *[]byte  // copies of the input, in order
	done   chan struct{} // closed when every chunk is hashed
	once   sync.Once
}

// hashChunks are the copies hashers take, reused across layers.
var hashChunks = sync.Pool{New: func() any { return new([]byte) }}

func newHasher() *hasher {
	hs := &hasher{h: sha256.New(), chunks: make(chan *[]byte, 4), done: make(chan struct{})}
	go func() {
		defer close(hs.done)
		for c := range hs.chunks {
			hs.h.Write(*c)
			if cap(*c) <= 1<<17 {
				hashChunks.Put(c)
			}
		}
	}()
	return hs
}

// write hands over a copy of p: the caller reuses its buffer.
func (hs *hasher) write(p []byte) {
	if len(p) == 0 {
		return
	}
	c := hashChunks.Get().(*[]byte)
	*c = append((*c)[:0], p...)
	hs.chunks <- c
}

// stop waits until everything written is hashed and ends the goroutine;
// it may be called more than once.
func (hs *hasher) stop() {
	hs.once.Do(func() { close(hs.chunks) })
	<-hs.done
}

// problem carries a geometry problem with a hint about projected-looking
// coordinates.
type geomProblem struct {
	Problem
	looksProjected bool
	looksSwapped   bool // an out-of-range position that reads as lat, lon
}

func formatCoord(v float64) string {
	if a := math.Abs(v); a >= 1e21 || (a > 0 && a < 1e-7) {
		// 1e308 as 1e+308, not as 309 digits.
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// notUTF8 explains text that is not UTF-8, naming GBK when the bytes
// decode as GBK (common in data exported from Chinese GIS software).
func notUTF8(raw []byte) string {
	i, gbk := NotUTF8(raw)
	if gbk != "" {
		return fmt.Sprintf("text is not UTF-8 (byte offset %d in the feature); it reads as GBK: %q — re-save the file as UTF-8 (RFC 7946 §11)", i, gbk)
	}
	return fmt.Sprintf("text is not UTF-8 (byte offset %d in the feature) — re-save the file as UTF-8 (RFC 7946 §11)", i)
}

// NotUTF8 finds the first byte of raw that is not UTF-8: its offset and,
// when the bytes there decode as GBK (common in files saved by Chinese
// software), a few characters of the text read that way; "" when they do
// not. Offset is len(raw) for valid UTF-8.
func NotUTF8(raw []byte) (offset int, gbk string) {
	i := 0
	for i < len(raw) {
		r, size := utf8.DecodeRune(raw[i:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		i += size
	}
	if i == len(raw) {
		return i, ""
	}
	start := max(0, i-8)
	for start > 0 && !utf8.RuneStart(raw[start]) {
		start--
	}
	end := min(len(raw), i+16)
	if decoded, err := simplifiedchinese.GBK.NewDecoder().Bytes(raw[i:end]); err == nil && utf8.Valid(decoded) {
		return i, strings.ToValidUTF8(string(raw[start:i]), "") + string(decoded)
	}
	return i, ""
}

// parseProperties decodes a properties object. Flat values (strings,
// numbers as json.Number, booleans, null) are read directly; nested ones
// go through encoding/json. A value that is not an object is an error.
func parseProperties(raw []byte) (map[string]any, error) {
	ms, err := objectMembers(raw)
	if err != nil {
		return nil, err
	}
	props := make(map[string]any, len(ms))
	for _, m := range ms {
		v, err := propertyValue(m.val)
		if err != nil {
			return nil, err
		}
		props[m.key] = v
	}
	return props, nil
}

// checkProperties splits a properties object into members (into out) and
// checks every value as parseProperties would decode it, decoding none.
func checkProperties(raw []byte, out []member) ([]member, error) {
	ms, err := objectMembersInto(raw, out)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		v := bytes.TrimSpace(m.val)
		if len(v) == 0 {
			return nil, errors.New("empty value")
		}
		switch c := v[0]; {
		case c == '"':
			if !validString(v) {
				return nil, errors.New("malformed string")
			}
		case bytes.Equal(v, []byte("true")), bytes.Equal(v, []byte("false")), bytes.Equal(v, []byte("null")):
		default:
			if !json.Valid(v) {
				return nil, errors.New("malformed value")
			}
		}
	}
	return ms, nil
}

// propertyValue decodes one property value.
func propertyValue(raw []byte) (any, error) {
	v := bytes.TrimSpace(raw)
	if len(v) == 0 {
		return nil, errors.New("empty value")
	}
	switch c := v[0]; {
	case c == '"':
		return unquote(v)
	case c == '-' || (c >= '0' && c <= '9'):
		if !json.Valid(v) {
			return nil, errors.New("malformed number")
		}
		return json.Number(v), nil
	case bytes.Equal(v, []byte("true")):
		return true, nil
	case bytes.Equal(v, []byte("false")):
		return false, nil
	case bytes.Equal(v, []byte("null")):
		return nil, nil
	}
	if !json.Valid(v) {
		// A decoder would read "trueX" as true and stop.
		return nil, errors.New("malformed value")
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	return x, nil
}

// Properties reads one feature's properties by name, decoding only the
// values asked for. Of duplicate names the last counts, as in
// encoding/json. It is valid only during the ReadOptions.Attributes call
// it is given to.
type Properties struct {
	members []member
}

// String returns the property name when it is a JSON string; ok is false
// when it is absent or of another kind. Unlike Get, it does not box the
// string in an interface.
func (p Properties) String(name string) (s string, ok bool) {
	raw, found := lookup(p.members, name)
	if !found || len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	s, err := unquote(raw)
	return s, err == nil // checkProperties accepted it, so err is nil
}

// Has reports whether the property name is present with a value other
// than null.
func (p Properties) Has(name string) bool {
	raw, ok := lookup(p.members, name)
	return ok && !bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// Names returns the property names, in file order.
func (p Properties) Names() []string {
	out := make([]string, len(p.members))
	for i, m := range p.members {
		out[i] = m.key
	}
	return out
}

// Get returns the value of the property name: a string, json.Number,
// bool, nil, or a nested []any or map[string]any.
func (p Properties) Get(name string) (any, bool) {
	raw, ok := lookup(p.members, name)
	if !ok {
		return nil, false
	}
	v, err := propertyValue(raw)
	if err != nil {
		return nil, false // checkProperties accepted it, so unreachable
	}
	return v, true
}

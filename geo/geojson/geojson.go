package geojson

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
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/plancheck/plancheck/geo"
)

// ErrUnreadable marks a file that is not JSON or not GeoJSON; it is the
// only fatal input error.
var ErrUnreadable = errors.New("unreadable GeoJSON")

// ReadLayer reads a GeoJSON file: a FeatureCollection, a single Feature or a
// bare geometry. Problems with single features are returned as Problems;
// an error means the file as a whole could not be read.
func ReadLayer(ctx context.Context, path string, opts geo.ReadOptions) (*geo.Layer, error) {
	// Opening a named pipe blocks until something writes to it, beyond
	// the reach of ctx: refuse anything but a regular file first.
	if kind := geo.NotRegular(path); kind != "" {
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

// DecodeLayer is ReadLayer on a reader; name is used in messages.
func DecodeLayer(ctx context.Context, r io.Reader, name string, opts geo.ReadOptions) (*geo.Layer, error) {
	return decodeLayer(ctx, r, name, opts, false)
}

// decodeLayer is DecodeLayer; generalOnly reads every feature with the
// general parser, for tests that compare it with fastFeature.
func decodeLayer(ctx context.Context, r io.Reader, name string, opts geo.ReadOptions, generalOnly bool) (*geo.Layer, error) {
	if opts.MaxVertices <= 0 {
		opts.MaxVertices = geo.DefaultMaxVertices
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = geo.DefaultMaxBytes
	}
	lr := newLineReader(r)
	defer lr.hash.stop()
	lr.max = opts.MaxBytes
	d := &decoder{ctx: ctx, name: name, lines: lr, opts: opts, generalOnly: generalOnly}
	layer, err := d.decode()
	if errors.Is(lr.err, geo.ErrTooLarge) {
		return nil, &geo.TooLargeError{File: name, Limit: opts.MaxBytes}
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
	opts  geo.ReadOptions
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
	if errors.Is(err, geo.ErrTooLarge) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return d.unreadable("not JSON: %v", err)
}

// featureChunks holds parsed features in the batches they were parsed
// in, so no slice of them is ever grown and copied.
type featureChunks [][]geo.RawFeature

// featureBatch is the most features parsed as one batch.
const featureBatch = 256

// maxBatchBytes ends a batch early when its features' text reaches it, so
// the two batches in flight (one cut, one parsed) hold a bounded amount
// of text however large the features.
const maxBatchBytes = 16 << 20

// Buffers a layer read needs whatever its size are reused from layer to
// layer: a plan set of many small layers would otherwise spend more on
// allocating and zeroing them than on its features.
var streamBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 1<<16) }}

func (d *decoder) decode() (*geo.Layer, error) {
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
	layer := &geo.Layer{}
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
	return geo.Assemble(d.ctx, layer, raws, d.opts)
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
	top.members = append(top.members, member{Name: key, Value: v})
	return key, nil
}

// topFeatures are the features the top-level object stands for by its
// type: a FeatureCollection's, a lone Feature, or a bare geometry as one
// feature. Problems of the object itself go to layer.
func (d *decoder) topFeatures(top topObject, layer *geo.Layer) (featureChunks, error) {
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
		if msg := bboxProblem(bbox); msg.Message != "" {
			layer.Problems = append(layer.Problems, geo.Problem{Kind: geo.ProblemFeature, Feature: -1, Line: top.line, Text: geo.Textf("FeatureCollection %s", "FeatureCollection 的%s", msg)})
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
		raw := geo.RawFeature{Feature: geo.Feature{Index: 0, Line: top.line}}
		parser := d.newParser(0, top.line)
		src, err := parser.parseGeometry(objectBytes(top.members), 0)
		if err != nil {
			return nil, d.syntax(err)
		}
		raw.SetGeometry(src, parser.problems)
		if msg := bboxProblem(bbox); msg.Message != "" {
			raw.AddProblem(geo.Problem{Kind: geo.ProblemFeature, Feature: 0, Line: top.line, Text: geo.Textf("geometry %s", "geometry 的%s", msg)})
		}
		return featureChunks{{raw}}, nil
	}
	return nil, d.unreadable("top-level \"type\" is %q, not a GeoJSON type (FeatureCollection, Feature or a geometry)", typ)
}

func (d *decoder) newParser(index, line int) geomParser {
	return geomParser{feature: index, line: line, maxVertices: d.opts.MaxVertices}
}

// objectBytes writes members back as one JSON object.
func objectBytes(ms []member) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.Name)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.Value)
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
		b.parsed = make([]geo.RawFeature, len(b.items))
		b.done = make(chan struct{})
		go func() {
			defer close(b.done)
			geo.OnAllCores(d.ctx, len(arenas), len(b.items), func(w, k int) {
				it := b.items[k]
				b.parsed[k], b.errs[k] = d.feature(it.index, it.line, it.raw, arenas[w])
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
			if errors.Is(err, geo.ErrTooLarge) {
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
	parsed []geo.RawFeature
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
func (d *decoder) feature(index, line int, raw []byte, arena *coordArena) (geo.RawFeature, error) {
	lists := featureScratchPool.Get().(*featureScratch)
	defer putFeatureScratch(lists)
	if !d.generalOnly {
		if rf, ok := d.fastFeature(index, line, raw, arena, lists); ok {
			return rf, nil
		}
	}
	rf := geo.RawFeature{Feature: geo.Feature{Index: index, Line: line}}
	bad := func(kind geo.ProblemKind, msg geo.Text) {
		rf.AddProblem(geo.Problem{Kind: kind, Feature: index, Line: line, Text: msg})
	}
	if !utf8.Valid(raw) {
		bad(geo.ProblemFeature, notUTF8(raw))
	}
	members, err := objectMembersInto(raw, lists.feature)
	lists.feature = members
	if err == errNotObject {
		if !json.Valid(raw) {
			return rf, &syntaxError{msg: "malformed feature"}
		}
		bad(geo.ProblemGeometry, geo.Text{Message: "feature is not a JSON object", MessageZH: "要素不是 JSON 对象"})
		return rf, nil
	}
	if err != nil {
		return rf, err
	}
	for _, m := range members {
		// The geometry is checked by its parser, the properties by their
		// decoder; everything else here.
		if m.Name != "geometry" && m.Name != "properties" && !json.Valid(m.Value) {
			return rf, &syntaxError{msg: fmt.Sprintf("malformed value of member %q", m.Name)}
		}
	}
	if dup := firstDuplicate(members); dup != "" {
		// encoding/json would silently keep the last value; a reviewer
		// must know the file says two things.
		bad(geo.ProblemFeature, geo.Textf("feature has the member %q twice", "要素的成员 %q 出现两次", dup))
	}
	if t, ok := lookup(members, "type"); !ok {
		bad(geo.ProblemFeature, geo.Text{Message: "feature has no \"type\" member", MessageZH: "要素没有 \"type\" 成员"})
	} else if typ, err := unquote(bytes.TrimSpace(t)); err != nil || typ != "Feature" {
		bad(geo.ProblemFeature, geo.Textf("feature \"type\" is %s, want \"Feature\"", "要素的 \"type\" 是 %s，应为 \"Feature\"", strings.TrimSpace(string(t))))
	}
	if id, ok := lookup(members, "id"); ok {
		s, has, err := idString(id)
		if err != nil {
			bad(geo.ProblemFeature, geo.Textf("feature \"id\" is %s; RFC 7946 allows a string or a number", "要素的 \"id\" 是 %s；RFC 7946 只允许字符串或数", strings.TrimSpace(string(id))))
		}
		rf.ID, rf.HasID = s, has
	}
	if p, ok := lookup(members, "properties"); !ok {
		bad(geo.ProblemFeature, geo.Text{Message: "feature has no \"properties\" member (RFC 7946 requires it, null allowed)", MessageZH: "要素没有 \"properties\" 成员（RFC 7946 要求有，可为 null）"})
	} else if !bytes.Equal(bytes.TrimSpace(p), []byte("null")) {
		var err error
		if d.opts.Attributes != nil {
			// Typed here, from the members, without a map.
			var ms []member
			if ms, err = checkProperties(p, lists.properties); err == nil {
				lists.properties = ms
				rf.SetAttributes(d.opts.Attributes(geo.PropertiesOf(ms)))
			}
		} else {
			rf.Properties, err = parseProperties(p)
		}
		if err != nil {
			if !json.Valid(p) {
				return rf, &syntaxError{msg: "malformed properties"}
			}
			bad(geo.ProblemFeature, geo.Textf("feature \"properties\" is %s, not an object", "要素的 \"properties\" 是%s，不是对象", kindOf(p)))
			rf.Properties = nil
		}
	}
	if bbox, ok := lookup(members, "bbox"); ok {
		if msg := bboxProblem(bbox); msg.Message != "" {
			bad(geo.ProblemFeature, geo.Textf("feature %s", "要素的%s", msg))
		}
	}
	g, ok := lookup(members, "geometry")
	if !ok {
		bad(geo.ProblemGeometry, geo.Text{Message: "feature has no \"geometry\" member", MessageZH: "要素没有 \"geometry\" 成员"})
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
			if msg := bboxProblem(bbox); msg.Message != "" {
				bad(geo.ProblemFeature, geo.Textf("geometry %s", "geometry 的%s", msg))
			}
		}
	}
	if rf.Invalid {
		rf.SetGeometry(nil, nil)
		return rf, nil
	}
	parser := d.newParser(index, line)
	parser.arena = arena
	src, err := parser.parseMembers(g, gm, gerr, 0)
	if err != nil {
		return rf, err
	}
	rf.SetGeometry(src, parser.problems)
	return rf, nil
}

// bboxProblem explains a bbox member that breaks RFC 7946 §5 (an array of
// 2n numbers), or returns "" when it is fine or absent. plancheck does not
// use bbox, but a malformed one shows a broken writer.
func bboxProblem(raw json.RawMessage) geo.Text {
	if raw == nil {
		return geo.Text{}
	}
	var v []json.RawMessage
	if json.Unmarshal(raw, &v) != nil || v == nil {
		return geo.Textf("\"bbox\" is %s, not an array of numbers (RFC 7946 §5)", " \"bbox\" 是%s，不是数的数组（RFC 7946 §5）", kindOf(raw))
	}
	if len(v) != 4 && len(v) != 6 {
		return geo.Textf("\"bbox\" has %d element(s); RFC 7946 §5 wants 4 (2D) or 6 (3D) numbers", " \"bbox\" 有 %d 个元素；RFC 7946 §5 要求 4 个（二维）或 6 个（三维）数", len(v))
	}
	for _, e := range v {
		var f float64
		if json.Unmarshal(e, &f) != nil {
			return geo.Textf("\"bbox\" holds %s, not a number (RFC 7946 §5)", " \"bbox\" 含有 %s，不是数（RFC 7946 §5）", compact(e))
		}
	}
	return geo.Text{}
}

// kindOf names the JSON type of raw, as "a string" and "字符串".
func kindOf(raw json.RawMessage) geo.Text {
	t := bytes.TrimSpace(raw)
	kind := func(en, zh string) geo.Text { return geo.Text{Message: en, MessageZH: zh} }
	if len(t) == 0 {
		return kind("empty", "空")
	}
	switch t[0] {
	case '[':
		return kind("an array", "数组")
	case '"':
		return kind("a string", "字符串")
	case '{':
		return kind("an object", "对象")
	case 't', 'f':
		return kind("a boolean", "布尔值")
	case 'n':
		return kind("null", " null")
	}
	return kind("a number", "数")
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

func (d *decoder) resolveCRS(member json.RawMessage) (geo.CRS, *geo.Problem, error) {
	declared := d.opts.CRS
	if len(member) == 0 || bytes.Equal(bytes.TrimSpace(member), []byte("null")) {
		if declared != nil {
			return *declared, nil, nil
		}
		return geo.WGS84, nil, nil
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
	fromFile, err := geo.ParseCRS(name)
	if name == "" || err != nil {
		p := &geo.Problem{Kind: geo.ProblemCRS, Feature: -1, Text: geo.Textf("old-style \"crs\" member %s is not a supported EPSG name; it is ignored (RFC 7946 removed the crs member)",
			"旧式 \"crs\" 成员 %s 不是支持的 EPSG 名称，已忽略（RFC 7946 已删除 crs 成员）", compact(member))}
		if declared != nil {
			return *declared, p, nil
		}
		return geo.WGS84, p, nil
	}
	if declared != nil && declared.EPSG != fromFile.EPSG {
		return *declared, &geo.Problem{Kind: geo.ProblemCRS, Feature: -1, Text: geo.Textf("file's old-style \"crs\" member says %s but the manifest declares %s; using the manifest's",
			"文件的旧式 \"crs\" 成员为 %s，而清单声明 %s；采用清单的", fromFile, *declared)}, nil
	}
	return fromFile, &geo.Problem{Kind: geo.ProblemCRS, Feature: -1, Text: geo.Textf("old-style \"crs\" member honoured: %s (RFC 7946 removed the crs member; declare crs in the manifest instead)",
		"已采用旧式 \"crs\" 成员：%s（RFC 7946 已删除 crs 成员；请改在清单中声明 crs）", fromFile)}, nil
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
	err      error // geo.ErrTooLarge once max is passed
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: r, hash: newHasher()}
}

func (l *lineReader) Read(p []byte) (int, error) {
	if l.max > 0 && l.n >= l.max {
		// One byte past the limit proves the file is larger; stop there.
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			l.err = geo.ErrTooLarge
			return 0, geo.ErrTooLarge
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

// notUTF8 explains text that is not UTF-8, naming GBK when the bytes
// decode as GBK (common in data exported from Chinese GIS software).
func notUTF8(raw []byte) geo.Text {
	i, gbk := geo.NotUTF8(raw)
	if gbk != "" {
		return geo.Textf("text is not UTF-8 (byte offset %d in the feature); it reads as GBK: %q — re-save the file as UTF-8 (RFC 7946 §11)",
			"文本不是 UTF-8（要素内字节偏移 %d），按 GBK 读作 %q——请将文件另存为 UTF-8（RFC 7946 §11）", i, gbk)
	}
	return geo.Textf("text is not UTF-8 (byte offset %d in the feature) — re-save the file as UTF-8 (RFC 7946 §11)",
		"文本不是 UTF-8（要素内字节偏移 %d）——请将文件另存为 UTF-8（RFC 7946 §11）", i)
}

// parseProperties decodes a properties object. Flat values (strings,
// numbers as json.Number, booleans, null) are read directly; nested ones
// go through encoding/json. A value that is not an object is an error.
func parseProperties(raw []byte) (map[string]any, error) {
	ms, err := checkProperties(raw, make([]member, 0, 8))
	if err != nil {
		return nil, err
	}
	return geo.PropertiesOf(ms).Map()
}

// checkProperties splits a properties object into members (into out) and
// checks every value as parseProperties would decode it, decoding none.
func checkProperties(raw []byte, out []member) ([]member, error) {
	ms, err := objectMembersInto(raw, out)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		v := bytes.TrimSpace(m.Value)
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

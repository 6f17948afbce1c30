package geojson

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"
	"unsafe"

	"github.com/paulmach/orb"

	"github.com/plancheck/plancheck/geo"
)

// The reader does not build a JSON tree: a byte scanner walks the top
// level of the file and hands over one feature at a time, and the feature
// parser below reads coordinates straight into orb slices. encoding/json
// is used only for small values (properties, ids, CRS members), so ingest
// runs at hundreds of MB/s and memory holds parsed geometry, not text.

// maxDepth bounds JSON nesting; a deeper file is refused rather than
// followed down (hostile input with 10⁵ nested arrays).
const maxDepth = 512

// syntaxError is malformed JSON: the file cannot be read.
type syntaxError struct {
	off int64
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s (byte offset %d)", e.msg, e.off) }

// streamScanner reads JSON structure from a buffered stream.
type streamScanner struct {
	r   *bufio.Reader
	off int64 // bytes consumed (after any BOM)
}

func (s *streamScanner) errf(format string, args ...any) error {
	return &syntaxError{off: s.off, msg: fmt.Sprintf(format, args...)}
}

func isSpace(b byte) bool { return b == ' ' || b == '\n' || b == '\r' || b == '\t' }

// peek skips white space and returns the next byte without consuming it.
func (s *streamScanner) peek() (byte, error) {
	for {
		b, err := s.r.Peek(1)
		if err != nil {
			if err == io.EOF {
				return 0, io.EOF
			}
			return 0, err
		}
		if !isSpace(b[0]) {
			return b[0], nil
		}
		buf, _ := s.r.Peek(s.r.Buffered())
		n := 0
		for n < len(buf) && isSpace(buf[n]) {
			n++
		}
		s.r.Discard(n)
		s.off += int64(n)
	}
}

func (s *streamScanner) expect(c byte) error {
	b, err := s.peek()
	if err != nil {
		return s.eof(err)
	}
	if b != c {
		return s.errf("expected %q, found %q", c, b)
	}
	s.r.Discard(1)
	s.off++
	return nil
}

func (s *streamScanner) eof(err error) error {
	if err == io.EOF {
		return s.errf("unexpected end of file (truncated?)")
	}
	if errors.Is(err, geo.ErrTooLarge) {
		return err
	}
	return s.errf("%v", err)
}

// value appends the next JSON value's bytes to dst. Brackets and strings
// are followed exactly; whether the value is well-formed inside is left to
// whoever parses it.
func (s *streamScanner) value(dst []byte) ([]byte, error) {
	first, err := s.peek()
	if err != nil {
		return dst, s.eof(err)
	}
	var (
		n      nesting
		scalar = first != '{' && first != '[' && first != '"'
	)
	for {
		if _, err := s.r.Peek(1); err != nil {
			if scalar && err == io.EOF && len(dst) > 0 {
				return dst, nil
			}
			return dst, s.eof(err)
		}
		buf, _ := s.r.Peek(s.r.Buffered())
		i, done := 0, false
		if scalar {
			for i < len(buf) && buf[i] != ',' && buf[i] != '}' && buf[i] != ']' && !isSpace(buf[i]) {
				i++
			}
			done = i < len(buf)
		} else {
			var err error
			if i, done, err = n.scan(buf, 0); err != nil {
				s.off += int64(i)
				return dst, s.errf("%v", err)
			}
		}
		dst = append(dst, buf[:i]...)
		s.r.Discard(i)
		s.off += int64(i)
		if done {
			return dst, nil
		}
	}
}

// member is one name/value pair of a JSON object, in file order. It is
// geo's RawProperty, so a properties object's members are the Properties
// view of them without a copy.
type member = geo.RawProperty

// sliceScanner walks JSON held in memory.
type sliceScanner struct {
	b []byte
	i int
}

func (p *sliceScanner) ws() {
	for p.i < len(p.b) && isSpace(p.b[p.i]) {
		p.i++
	}
}

func (p *sliceScanner) errf(format string, args ...any) error {
	return &syntaxError{off: int64(p.i), msg: fmt.Sprintf(format, args...)}
}

// skipValue moves past one JSON value, returning its bytes.
func (p *sliceScanner) skipValue() ([]byte, error) {
	p.ws()
	if p.i >= len(p.b) {
		return nil, p.errf("unexpected end of value")
	}
	start := p.i
	switch p.b[p.i] {
	case '"':
		if err := p.skipString(); err != nil {
			return nil, err
		}
	case '{', '[':
		var n nesting
		end, closed, err := n.scan(p.b, p.i)
		p.i = end
		if err != nil {
			return nil, p.errf("%v", err)
		}
		if !closed {
			return nil, p.errf("unterminated %q", p.b[start])
		}
		return p.b[start:p.i], nil
	default:
		for p.i < len(p.b) && !isSpace(p.b[p.i]) && p.b[p.i] != ',' && p.b[p.i] != '}' && p.b[p.i] != ']' {
			p.i++
		}
	}
	return p.b[start:p.i], nil
}

func (p *sliceScanner) skipString() error {
	p.i++ // opening quote
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case '\\':
			p.i += 2
			continue
		case '"':
			p.i++
			return nil
		}
		p.i++
	}
	return p.errf("unterminated string")
}

// objectMembers splits a JSON object into its members in file order. The
// member values are not checked here.
func objectMembers(b []byte) ([]member, error) {
	return objectMembersInto(b, make([]member, 0, 8))
}

// objectMembersInto is objectMembers appending to out[:0], so a caller
// that splits an object per feature can reuse one list.
func objectMembersInto(b []byte, out []member) ([]member, error) {
	p := &sliceScanner{b: b}
	p.ws()
	if p.i >= len(b) || b[p.i] != '{' {
		return nil, errNotObject
	}
	p.i++
	out = out[:0]
	p.ws()
	if p.i < len(b) && b[p.i] == '}' {
		p.i++
		return out, p.end()
	}
	for {
		p.ws()
		if p.i >= len(b) || b[p.i] != '"' {
			return nil, p.errf("expected a member name")
		}
		start := p.i
		if err := p.skipString(); err != nil {
			return nil, err
		}
		key, err := memberName(b[start:p.i])
		if err != nil {
			return nil, p.errf("bad member name: %v", err)
		}
		p.ws()
		if p.i >= len(b) || b[p.i] != ':' {
			return nil, p.errf("expected ':' after %q", key)
		}
		p.i++
		val, err := p.skipValue()
		if err != nil {
			return nil, err
		}
		out = append(out, member{Name: key, Value: val})
		p.ws()
		if p.i >= len(b) {
			return nil, p.errf("unterminated object")
		}
		switch b[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return out, p.end()
		default:
			return nil, p.errf("expected ',' or '}', found %q", b[p.i])
		}
	}
}

var errNotObject = errors.New("not a JSON object")

func (p *sliceScanner) end() error {
	p.ws()
	if p.i != len(p.b) {
		return p.errf("trailing data")
	}
	return nil
}

// commonNames are member names nearly every feature repeats.
var commonNames = [...]string{"type", "properties", "geometry", "coordinates", "id", "class", "name", "bbox"}

// memberName is unquote for member names, without allocating the names
// every feature repeats.
func memberName(tok []byte) (string, error) {
	if len(tok) >= 2 {
		inner := tok[1 : len(tok)-1]
		for _, n := range commonNames {
			if string(inner) == n && tok[0] == '"' && tok[len(tok)-1] == '"' {
				return n, nil
			}
		}
	}
	return unquote(tok)
}

// validString reports whether unquote accepts tok, without building the
// string.
func validString(tok []byte) bool {
	_, err := readString(tok, false)
	return err == nil
}

// unquote decodes a JSON string token; the common case (no escapes) needs
// no decoder.
func unquote(tok []byte) (string, error) { return readString(tok, true) }

// readString checks a JSON string token and, when decode is set, returns
// its value.
func readString(tok []byte, decode bool) (string, error) {
	if len(tok) < 2 || tok[0] != '"' || tok[len(tok)-1] != '"' {
		return "", errors.New("not a string")
	}
	inner := tok[1 : len(tok)-1]
	if bytes.IndexByte(inner, '\\') < 0 && (!decode || utf8.Valid(inner)) {
		for _, c := range inner {
			if c < 0x20 {
				return "", errors.New("control character in string")
			}
		}
		if !decode {
			return "", nil
		}
		return string(inner), nil
	}
	if !decode {
		if !json.Valid(tok) {
			return "", errors.New("malformed string")
		}
		return "", nil
	}
	var s string
	err := json.Unmarshal(tok, &s)
	return s, err
}

// lookup returns the value of the member key; of duplicates, the last.
func lookup(ms []member, key string) ([]byte, bool) { return geo.PropertiesOf(ms).Raw(key) }

func firstDuplicate(ms []member) string {
	if len(ms) < 2 {
		return ""
	}
	for i := 1; i < len(ms); i++ {
		for j := 0; j < i; j++ {
			if ms[i].Name == ms[j].Name {
				return ms[i].Name
			}
		}
	}
	return ""
}

// coordinate parsing ------------------------------------------------------

// shapeError is well-formed JSON of the wrong shape for a geometry: a
// geometry problem of the feature, not an unreadable file.
type shapeError struct{ msg geo.Text }

func (e *shapeError) Error() string { return e.msg.Message }

// coordScanner reads a coordinates array of known depth.
type coordScanner struct {
	sliceScanner
	positions int
	max       int
	scratch   *[]orb.Point
	arena     *coordArena // nil: every list is allocated on its own
}

// coordArena hands out the point and ring lists of parsed geometry from
// shared blocks. A layer's million small rings become a few thousand
// allocations, which the collector marks in a few thousand steps instead
// of a million on every cycle of the run. Lists are cut with their
// capacity at their length, so appending to one never writes into
// another. An arena serves one goroutine at a time.
type coordArena struct {
	pointBlock []orb.Point
	ringBlock  []orb.Ring
}

const (
	arenaPoints   = 1 << 14 // points per block at most (256 KiB)
	arenaRings    = 1 << 10 // ring headers per block at most
	arenaMaxShare = 1 << 9  // longer lists get their own allocation
	// Blocks start small and double up to the sizes above, so a layer
	// of a few features does not allocate (and zero) a quarter megabyte
	// per worker.
	arenaFirstPoints = 1 << 8
	arenaFirstRings  = 1 << 4
)

// blockCap is the capacity of an arena's next block: twice the last one,
// between first and most, and room for need.
func blockCap(last, first, most, need int) int {
	return max(need, min(most, max(first, 2*last)))
}

// newPointBlock starts a point block with room for at least need points.
func (a *coordArena) newPointBlock(need int) []orb.Point {
	return make([]orb.Point, 0, blockCap(cap(a.pointBlock), arenaFirstPoints, arenaPoints, need))
}

// points returns a copy of pts.
func (a *coordArena) points(pts []orb.Point) []orb.Point {
	n := len(pts)
	if a == nil || n > arenaMaxShare {
		return slices.Clone(pts)
	}
	if cap(a.pointBlock)-len(a.pointBlock) < n {
		a.pointBlock = a.newPointBlock(n)
	}
	start := len(a.pointBlock)
	a.pointBlock = append(a.pointBlock, pts...)
	return a.pointBlock[start : start+n : start+n]
}

// polygon returns the rings as a polygon.
func (a *coordArena) polygon(rs [][]orb.Point) orb.Polygon {
	n := len(rs)
	var poly orb.Polygon
	if a == nil || n > arenaMaxShare {
		poly = make(orb.Polygon, n)
	} else {
		if cap(a.ringBlock)-len(a.ringBlock) < n {
			a.ringBlock = make([]orb.Ring, 0, blockCap(cap(a.ringBlock), arenaFirstRings, arenaRings, n))
		}
		start := len(a.ringBlock)
		a.ringBlock = a.ringBlock[:start+n]
		poly = orb.Polygon(a.ringBlock[start : start+n : start+n])
	}
	for i, r := range rs {
		poly[i] = r
	}
	return poly
}

func (c *coordScanner) number() (float64, error) {
	c.ws()
	v, end, fault := readNumber(c.b, c.i)
	switch fault {
	case notANumber:
		return 0, c.notNumber()
	case malformedNumber:
		c.i = end
		return 0, c.errf("malformed number")
	case numberOutOfRange:
		lit := c.b[c.i:end]
		c.i = end
		return 0, &shapeError{geo.Textf("coordinate %s is out of range (not a finite float64)", "坐标 %s 超出范围（不是有限的 float64）", lit)}
	}
	c.i = end
	return v, nil
}

// notNumber explains a value where a number belongs: valid JSON of the
// wrong kind is a shape problem, anything else a syntax error.
func (c *coordScanner) notNumber() error {
	return c.wrongValue()
}

// wrongValue reads the value where a number or array belongs: valid JSON
// of another kind is a shape problem, anything else (NaN, Infinity, a
// truncated literal) is not JSON.
func (c *coordScanner) wrongValue() error {
	c.ws()
	start := c.i
	v, err := c.skipValue()
	if err != nil || !json.Valid(v) {
		c.i = start
		lit := c.b[start:min(len(c.b), start+16)]
		if end := bytes.IndexAny(lit, ",]} \n"); end > 0 {
			lit = lit[:end]
		}
		if len(lit) == 0 {
			return c.errf("unexpected end of coordinates")
		}
		return c.errf("invalid character %q in coordinates (%q is not a JSON value)", lit[0], lit)
	}
	return errWrongShape
}

var errWrongShape = &shapeError{geo.Text{Message: "wrong shape", MessageZH: "形状不对"}}

// open consumes '[' or reports what stands there instead.
func (c *coordScanner) open() error {
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == '[' {
		c.i++
		return nil
	}
	return c.wrongValue()
}

// next consumes ',' (true) or ']' (false).
func (c *coordScanner) next() (bool, error) {
	c.ws()
	if c.i >= len(c.b) {
		return false, c.errf("unterminated array")
	}
	switch c.b[c.i] {
	case ',':
		c.i++
		return true, nil
	case ']':
		c.i++
		return false, nil
	}
	return false, c.errf("expected ',' or ']' in coordinates, found %q", c.b[c.i])
}

// empty consumes ']' when the array just opened is empty.
func (c *coordScanner) empty() bool {
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == ']' {
		c.i++
		return true
	}
	return false
}

// position reads [x, y, ...]; extra ordinates (altitude) are dropped.
func (c *coordScanner) position() (orb.Point, error) {
	c.ws()
	start := c.i
	if err := c.open(); err != nil {
		return orb.Point{}, err
	}
	c.positions++
	var pt orb.Point
	n := 0
	if !c.empty() {
		for {
			v, err := c.number()
			if err != nil {
				return pt, err
			}
			if n < 2 {
				pt[n] = v
			}
			n++
			more, err := c.next()
			if err != nil {
				return pt, err
			}
			if !more {
				break
			}
		}
	}
	if n < 2 {
		var lit bytes.Buffer
		_ = json.Compact(&lit, c.b[start:c.i])
		return pt, &shapeError{geo.Textf("position %s has %d number(s); a position needs at least 2", "位置 %s 有 %d 个数，位置至少需要 2 个", lit.String(), n)}
	}
	return pt, nil
}

// elements reads a JSON array whose elements elem reads, and reports
// whether it was empty.
func (c *coordScanner) elements(elem func() error) (empty bool, err error) {
	if err := c.open(); err != nil {
		return false, err
	}
	if c.empty() {
		return true, nil
	}
	for {
		if err := elem(); err != nil {
			return false, err
		}
		more, err := c.next()
		if err != nil || !more {
			return false, err
		}
	}
}

// array reads a JSON array whose elements elem reads.
func array[T any](c *coordScanner, elem func() (T, error)) ([]T, error) {
	out := []T{}
	if _, err := c.elements(func() error {
		v, err := elem()
		out = append(out, v)
		return err
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// positionList reads into a scratch list reused across lists and
// features, then keeps an exact-size copy: grown by append, a million
// rings would hold a third more memory than their points, and leave the
// smaller arrays of each doubling behind as garbage.
func (c *coordScanner) positionList() ([]orb.Point, error) {
	if c.scratch == nil {
		c.scratch = pointScratch.Get().(*[]orb.Point)
	}
	buf := (*c.scratch)[:0]
	empty, err := c.elements(func() error {
		v, err := c.position()
		buf = append(buf, v)
		return err
	})
	*c.scratch = buf
	switch {
	case err != nil:
		return nil, err
	case empty:
		return []orb.Point{}, nil
	}
	return c.arena.points(buf), nil
}

var pointScratch = sync.Pool{New: func() any { return new([]orb.Point) }}

// release returns the scanner's scratch list for other scanners.
func (c *coordScanner) release() {
	if c.scratch != nil && cap(*c.scratch) <= 1<<16 {
		pointScratch.Put(c.scratch)
	}
	c.scratch = nil
}

func (c *coordScanner) lists2() ([][]orb.Point, error) { return array(c, c.positionList) }

func (c *coordScanner) lists3() ([][][]orb.Point, error) { return array(c, c.lists2) }

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// numberFault says why a JSON number could not be read.
type numberFault int

const (
	numberOK         numberFault = iota
	notANumber                   // no digit where the number should start
	malformedNumber              // a fraction or exponent without digits
	numberOutOfRange             // beyond float64
)

// scanNumber finds the end of the JSON number that starts at b[i]. When
// it is malformed, end is where it went wrong.
func scanNumber(b []byte, i int) (end int, fault numberFault) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i]-'1' <= 8:
		for i < len(b) && b[i]-'0' <= 9 {
			i++
		}
	default:
		return i, notANumber
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i]-'0' > 9 {
			return i, malformedNumber
		}
		for i < len(b) && b[i]-'0' <= 9 {
			i++
		}
	}
	if i < len(b) && b[i]|0x20 == 'e' {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i]-'0' > 9 {
			return i, malformedNumber
		}
		for i < len(b) && b[i]-'0' <= 9 {
			i++
		}
	}
	return i, numberOK
}

// readNumber reads the JSON number that starts at b[i]. The common
// coordinate literal (at most 19 digits, a mantissa below 2⁵³, at most 22
// decimals, no exponent) is converted while it is scanned: mantissa and
// power of ten are then exact in float64, so one division rounds
// correctly (Clinger's fast path), as strconv would. Any other literal,
// and every fault, goes through scanNumber and strconv.
func readNumber(b []byte, i int) (v float64, end int, fault numberFault) {
	start := i
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	var mant uint64
	digits := i
	if i < len(b) && b[i]-'1' <= 8 {
		for i < len(b) && b[i]-'0' <= 9 {
			mant = mant*10 + uint64(b[i]-'0')
			i++
		}
	} else if i < len(b) && b[i] == '0' {
		i++
	}
	intDigits, frac := i-digits, 0
	if i < len(b) && b[i] == '.' {
		i++
		fracStart := i
		for i < len(b) && b[i]-'0' <= 9 {
			mant = mant*10 + uint64(b[i]-'0')
			i++
		}
		frac = i - fracStart
	}
	if intDigits > 0 && (frac > 0 || i == digits+intDigits) && !(i < len(b) && b[i]|0x20 == 'e') &&
		intDigits+frac <= 19 && mant < 1<<53 && frac < len(pow10) {
		v = float64(mant) / pow10[frac]
		if neg {
			v = -v
		}
		return v, i, numberOK
	}
	if end, fault = scanNumber(b, start); fault != numberOK {
		return 0, end, fault
	}
	lit := b[start:end]
	v, err := strconv.ParseFloat(unsafe.String(unsafe.SliceData(lit), len(lit)), 64)
	if err != nil {
		return 0, end, numberOutOfRange
	}
	return v, end, numberOK
}

// plainByte marks bytes that never open or close a string, object or array.
var plainByte = func() (t [256]bool) {
	for i := range t {
		t[i] = true
	}
	for _, c := range []byte{'"', '{', '}', '[', ']', '\\'} {
		t[c] = false
	}
	return t
}()

const (
	bytesOf01 = 0x0101010101010101
	bytesOf7f = 0x7f7f7f7f7f7f7f7f
	bytesOf80 = 0x8080808080808080
)

// zeroBytes marks, with its high bit, the lowest zero byte of v (and
// possibly bytes above it, never one below).
func zeroBytes(v uint64) uint64 { return (v - bytesOf01) &^ v & bytesOf80 }

// equalBytes marks, with its high bit, every byte of x equal to the byte
// that fills c.
func equalBytes(x, c uint64) uint64 {
	v := x ^ c
	// The low seven bits of a byte plus 0x7f set its high bit unless
	// they are all zero; no carry leaves the byte.
	return ^((v&bytesOf7f + bytesOf7f) | v) & bytesOf80
}

// nesting follows the brackets and strings of a JSON object or array
// byte by byte; the stream scanner and the in-memory scanner share it.
type nesting struct {
	depth      int
	inStr, esc bool
}

// scan reads b from i until the value that opened at depth 0 closes. It
// returns the index just past the value and true, or len(b) and false
// when b ends first (the state carries over to the next call).
func (n *nesting) scan(b []byte, i int) (int, bool, error) {
	for ; i < len(b); i++ {
		if !n.inStr {
			// Coordinates are digits, commas and brackets: take them
			// eight bytes at a time, counting brackets, while the eight
			// hold no quote or brace and can neither close the value
			// nor pass the depth limit. (A backslash outside a string
			// changes nothing, here or in the switch below.)
			for i+8 <= len(b) {
				x := binary.LittleEndian.Uint64(b[i:])
				if zeroBytes(x^0x2222222222222222)|zeroBytes(x^0x7b7b7b7b7b7b7b7b)|zeroBytes(x^0x7d7d7d7d7d7d7d7d) != 0 {
					break
				}
				opens := bits.OnesCount64(equalBytes(x, 0x5b5b5b5b5b5b5b5b))
				closes := bits.OnesCount64(equalBytes(x, 0x5d5d5d5d5d5d5d5d))
				if n.depth-closes < 1 || n.depth+opens > maxDepth {
					break
				}
				n.depth += opens - closes
				i += 8
			}
			for i < len(b) && plainByte[b[i]] {
				i++
			}
			if i == len(b) {
				break
			}
		}
		c := b[i]
		if n.inStr {
			switch {
			case n.esc:
				n.esc = false
			case c == '\\':
				n.esc = true
			case c == '"':
				n.inStr = false
				if n.depth == 0 {
					return i + 1, true, nil
				}
			}
			continue
		}
		switch c {
		case '"':
			n.inStr = true
		case '{', '[':
			n.depth++
			if n.depth > maxDepth {
				return i, false, fmt.Errorf("JSON nested deeper than %d levels (max depth)", maxDepth)
			}
		case '}', ']':
			n.depth--
			if n.depth == 0 {
				return i + 1, true, nil
			}
			if n.depth < 0 {
				return i, false, fmt.Errorf("unbalanced %q", c)
			}
		}
	}
	return len(b), false, nil
}

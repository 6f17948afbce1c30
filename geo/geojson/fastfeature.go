package geojson

import (
	"unicode/utf8"

	"github.com/paulmach/orb"

	"github.com/plancheck/plancheck/geo"
)

// The general feature parser splits the feature into members, then the
// geometry into members, then reads the coordinates: three walks over the
// bytes that are mostly coordinates, before the numbers are even read.
// fastFeature reads the common feature in one walk instead: the members
// type, id, properties and geometry once each, flat properties, a
// geometry object of just "type" and "coordinates", and coordinates of
// the shape the type asks for. Anything else (an escape in
// an id, nested properties, a bbox, an empty ring, a malformed or
// unexpected byte, too many positions) makes it give up, and the general
// parser reads the feature and explains what is wrong. So fastFeature
// never decides a problem; for every feature it accepts, it must return
// exactly what the general parser returns (FuzzFastFeature checks that).

// featureScratch holds the lists one feature's parse fills, reused from
// feature to feature.
type featureScratch struct {
	feature, geometry, properties []member
	points                        []orb.Point
	rings                         [][]orb.Point
	polygons                      []orb.Polygon
}

// fastScanner walks one feature's bytes.
type fastScanner struct {
	b         []byte
	i         int
	positions int
}

func (s *fastScanner) ws() {
	for s.i < len(s.b) && isSpace(s.b[s.i]) {
		s.i++
	}
}

// consume skips white space and then c, reporting whether c was there.
func (s *fastScanner) consume(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// comma skips white space and then ',' (true, more follows) or closer
// (false, the list ended); ok is false for anything else.
func (s *fastScanner) comma(closer byte) (more, ok bool) {
	s.ws()
	if s.i < len(s.b) {
		switch s.b[s.i] {
		case ',':
			s.i++
			return true, true
		case closer:
			s.i++
			return false, true
		}
	}
	return false, false
}

// str reads a string token and returns it with its quotes. Escapes are
// accepted only when allowEscapes is set (the token is then decoded by
// unquote, as the general parser does); control characters and invalid
// UTF-8 are refused.
func (s *fastScanner) str(allowEscapes bool) ([]byte, bool) {
	s.ws()
	b := s.b
	if s.i >= len(b) || b[s.i] != '"' {
		return nil, false
	}
	start := s.i
	ascii := true
	for i := start + 1; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			s.i = i + 1
			if !ascii && !utf8.Valid(b[start+1:i]) {
				return nil, false
			}
			return b[start:s.i], true
		case c < 0x20:
			return nil, false
		case c >= 0x80:
			ascii = false
		case c == '\\':
			if !allowEscapes || i+1 >= len(b) {
				return nil, false
			}
			i++
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					return nil, false
				}
				for _, h := range b[i+1 : i+5] {
					if !isHex(h) {
						return nil, false
					}
				}
				i += 4
			default:
				return nil, false
			}
		}
	}
	return nil, false
}

func isHex(c byte) bool {
	return c-'0' <= 9 || (c|0x20)-'a' <= 5
}

// literal reads true, false or null.
func (s *fastScanner) literal() ([]byte, bool) {
	for _, lit := range [...]string{"true", "false", "null"} {
		if end := s.i + len(lit); end <= len(s.b) && string(s.b[s.i:end]) == lit {
			s.i = end
			return s.b[end-len(lit) : end], true
		}
	}
	return nil, false
}

// numberToken reads a number by the JSON grammar and returns its text.
func (s *fastScanner) numberToken() ([]byte, bool) {
	end, fault := scanNumber(s.b, s.i)
	if fault != numberOK {
		return nil, false
	}
	tok := s.b[s.i:end]
	s.i = end
	return tok, true
}

// number reads a coordinate (readNumber).
func (s *fastScanner) number() (float64, bool) {
	s.ws()
	v, end, fault := readNumber(s.b, s.i)
	if fault != numberOK {
		return 0, false
	}
	s.i = end
	return v, true
}

// position reads [x, y, …] into a point; ordinates past the second
// (altitude) are read and dropped.
func (s *fastScanner) position() (orb.Point, bool) {
	var pt orb.Point
	if !s.consume('[') {
		return pt, false
	}
	s.positions++
	var ok bool
	if pt[0], ok = s.number(); !ok {
		return pt, false
	}
	if !s.consume(',') {
		return pt, false
	}
	if pt[1], ok = s.number(); !ok {
		return pt, false
	}
	for {
		more, ok := s.comma(']')
		if !ok {
			return pt, false
		}
		if !more {
			return pt, true
		}
		if _, ok := s.number(); !ok {
			return pt, false
		}
	}
}

// positionList reads a non-empty array of positions. With an arena, the
// positions are read straight into its block, saving a copy of every
// point; the list is moved out only when the block fills up under it or
// when it is too long to share a block.
func (s *fastScanner) positionList(sc *featureScratch, arena *coordArena) ([]orb.Point, bool) {
	if !s.consume('[') {
		return nil, false
	}
	var pts []orb.Point
	start := 0
	if arena != nil {
		pts = arena.pointBlock
		start = len(pts)
	} else {
		pts = sc.points[:0]
	}
	for {
		pt, ok := s.position()
		if !ok {
			if arena != nil {
				arena.pointBlock = pts[:start] // give back what was read
			}
			return nil, false
		}
		if arena != nil && len(pts) == cap(pts) {
			// The block is full: carry this list over to a new one.
			arena.pointBlock = pts
			grown := arena.newPointBlock(2 * (len(pts) - start))
			pts = append(grown, pts[start:]...)
			start = 0
		}
		pts = append(pts, pt)
		more, ok := s.comma(']')
		if !ok {
			if arena != nil {
				arena.pointBlock = pts[:start]
			}
			return nil, false
		}
		if !more {
			break
		}
	}
	if arena == nil {
		sc.points = pts
		return arena.points(pts), true
	}
	list := pts[start:len(pts):len(pts)]
	if len(list) > arenaMaxShare {
		arena.pointBlock = pts[:start]
		return arena.points(list), true
	}
	arena.pointBlock = pts
	return list, true
}

// elements reads a non-empty array whose elements elem reads.
func (s *fastScanner) elements(elem func() bool) bool {
	if !s.consume('[') {
		return false
	}
	for {
		if !elem() {
			return false
		}
		more, ok := s.comma(']')
		if !ok || !more {
			return ok
		}
	}
}

// positionLists reads a non-empty array of position lists into sc.rings.
func (s *fastScanner) positionLists(sc *featureScratch, arena *coordArena) ([][]orb.Point, bool) {
	lists := sc.rings[:0]
	ok := s.elements(func() bool {
		pts, ok := s.positionList(sc, arena)
		lists = append(lists, pts)
		return ok
	})
	sc.rings = lists
	return lists, ok
}

// polygon reads a non-empty array of non-empty rings.
func (s *fastScanner) polygon(sc *featureScratch, arena *coordArena) (orb.Polygon, bool) {
	rings, ok := s.positionLists(sc, arena)
	if !ok {
		return nil, false
	}
	return arena.polygon(rings), true
}

// coordinates reads the coordinates of a geometry of type typ, as
// coordScanner does for the general parser.
func (s *fastScanner) coordinates(typ []byte, sc *featureScratch, arena *coordArena) (orb.Geometry, bool) {
	switch string(typ) {
	case `"Polygon"`:
		return s.polygon(sc, arena)
	case `"MultiPolygon"`:
		polys := sc.polygons[:0]
		ok := s.elements(func() bool {
			poly, ok := s.polygon(sc, arena)
			polys = append(polys, poly)
			return ok
		})
		sc.polygons = polys
		if !ok {
			return nil, false
		}
		mp := make(orb.MultiPolygon, len(polys))
		copy(mp, polys)
		return mp, true
	case `"LineString"`:
		pts, ok := s.positionList(sc, arena)
		return orb.LineString(pts), ok
	case `"MultiPoint"`:
		pts, ok := s.positionList(sc, arena)
		return orb.MultiPoint(pts), ok
	case `"Point"`:
		return s.position()
	case `"MultiLineString"`:
		lines, ok := s.positionLists(sc, arena)
		if !ok {
			return nil, false
		}
		mls := make(orb.MultiLineString, len(lines))
		for i, l := range lines {
			mls[i] = l
		}
		return mls, true
	}
	return nil, false
}

// geometry reads {"type": …, "coordinates": …}, the members in either
// order and nothing else, or null.
func (s *fastScanner) geometry(sc *featureScratch, arena *coordArena) (g orb.Geometry, present, ok bool) {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == 'n' {
		v, ok := s.literal()
		return nil, false, ok && string(v) == "null"
	}
	if !s.consume('{') {
		return nil, false, false
	}
	key, ok := s.str(false)
	if !ok || !s.consume(':') {
		return nil, false, false
	}
	switch string(key) {
	case `"type"`:
		typ, ok := s.str(false)
		if !ok || !s.consume(',') {
			return nil, false, false
		}
		if key, ok := s.str(false); !ok || string(key) != `"coordinates"` || !s.consume(':') {
			return nil, false, false
		}
		if g, ok = s.coordinates(typ, sc, arena); !ok || !s.consume('}') {
			return nil, false, false
		}
	case `"coordinates"`:
		// Writers that sort keys put the coordinates first: find the
		// type after them, then come back and read them.
		s.ws()
		start := s.i
		if start >= len(s.b) || s.b[start] != '[' {
			return nil, false, false
		}
		var n nesting
		end, closed, err := n.scan(s.b, start)
		if !closed || err != nil {
			return nil, false, false
		}
		s.i = end
		if !s.consume(',') {
			return nil, false, false
		}
		if key, ok := s.str(false); !ok || string(key) != `"type"` || !s.consume(':') {
			return nil, false, false
		}
		typ, ok := s.str(false)
		if !ok || !s.consume('}') {
			return nil, false, false
		}
		after := s.i
		s.i = start
		if g, ok = s.coordinates(typ, sc, arena); !ok || s.i != end {
			return nil, false, false
		}
		s.i = after
	default:
		return nil, false, false
	}
	return g, true, true
}

// properties reads a flat properties object into its member list.
func (s *fastScanner) properties(sc *featureScratch) ([]member, bool) {
	if !s.consume('{') {
		return nil, false
	}
	ms := sc.properties[:0]
	if s.consume('}') {
		sc.properties = ms
		return ms, true
	}
	for {
		key, ok := s.str(true)
		if !ok || !s.consume(':') {
			return nil, false
		}
		name, err := memberName(key)
		if err != nil {
			return nil, false
		}
		s.ws()
		if s.i >= len(s.b) {
			return nil, false
		}
		var val []byte
		switch c := s.b[s.i]; {
		case c == '"':
			val, ok = s.str(true)
		case c == '-' || c-'0' <= 9:
			val, ok = s.numberToken()
		default:
			val, ok = s.literal()
		}
		if !ok {
			return nil, false
		}
		ms = append(ms, member{Name: name, Value: val})
		more, ok := s.comma('}')
		if !ok {
			return nil, false
		}
		if !more {
			sc.properties = ms
			return ms, true
		}
	}
}

// The feature members fastFeature reads, as bits of a set.
const (
	seenType = 1 << iota
	seenID
	seenProperties
	seenGeometry
)

// fastFeature reads a common feature in one walk (see above); ok is false
// when the general parser must read it.
func (d *decoder) fastFeature(index, line int, raw []byte, arena *coordArena, sc *featureScratch) (rf geo.RawFeature, ok bool) {
	rf.Feature = geo.Feature{Index: index, Line: line}
	s := &fastScanner{b: raw}
	if !s.consume('{') {
		return rf, false
	}
	var (
		seen    int
		props   []member
		null    bool // properties is null
		geom    orb.Geometry
		hasGeom bool // geometry is not null
	)
	for {
		key, ok := s.str(false)
		if !ok || !s.consume(':') {
			return rf, false
		}
		var bit int
		switch string(key) {
		case `"type"`:
			bit = seenType
			if v, ok := s.str(false); !ok || string(v) != `"Feature"` {
				return rf, false
			}
		case `"id"`:
			bit = seenID
			s.ws()
			if s.i >= len(s.b) {
				return rf, false
			}
			switch c := s.b[s.i]; {
			case c == '"':
				v, ok := s.str(false)
				if !ok {
					return rf, false
				}
				rf.ID, rf.HasID = string(v[1:len(v)-1]), true
			case c == 'n':
				if v, ok := s.literal(); !ok || string(v) != "null" {
					return rf, false
				}
			default:
				v, ok := s.numberToken()
				if !ok {
					return rf, false
				}
				rf.ID, rf.HasID = string(v), true
			}
		case `"properties"`:
			bit = seenProperties
			s.ws()
			if s.i < len(s.b) && s.b[s.i] == 'n' {
				if v, ok := s.literal(); !ok || string(v) != "null" {
					return rf, false
				}
				null = true
			} else if props, ok = s.properties(sc); !ok {
				return rf, false
			}
		case `"geometry"`:
			bit = seenGeometry
			if geom, hasGeom, ok = s.geometry(sc, arena); !ok {
				return rf, false
			}
		default:
			return rf, false
		}
		if seen&bit != 0 {
			return rf, false
		}
		seen |= bit
		more, ok := s.comma('}')
		if !ok {
			return rf, false
		}
		if !more {
			break
		}
	}
	s.ws()
	if s.i != len(s.b) || seen&(seenType|seenProperties|seenGeometry) != seenType|seenProperties|seenGeometry ||
		s.positions > d.opts.MaxVertices {
		return rf, false
	}
	if !null {
		if d.opts.Attributes != nil {
			rf.SetAttributes(d.opts.Attributes(geo.PropertiesOf(props)))
		} else {
			var err error
			if rf.Properties, err = geo.PropertiesOf(props).Map(); err != nil {
				return rf, false
			}
		}
	}
	if hasGeom {
		rf.SetGeometry(geom, nil)
	}
	return rf, true
}

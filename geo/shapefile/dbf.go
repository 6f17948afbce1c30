package shapefile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Field is one .dbf field (column) descriptor.
type Field struct {
	Name     string // decoded by the layer's code page
	Type     byte   // 'C', 'N', 'F', 'L', 'D'; others are read as text
	Length   int    // bytes in the record
	Decimals int
}

// dbfHeader is what the .dbf header says (dBASE III+ layout: a 32-byte
// header, 32-byte field descriptors, a 0x0D terminator).
type dbfHeader struct {
	records   int
	headerLen int
	recordLen int
	fields    []rawField
}

// rawField is a field descriptor before its name is decoded.
type rawField struct {
	name     []byte
	typ      byte
	length   int
	decimals int
	offset   int // in the record, after the deletion flag
}

// parseDBFHeader reads the header of a .dbf from r.
func parseDBFHeader(file string, r io.Reader) (dbfHeader, error) {
	var h dbfHeader
	var head [32]byte
	if n, err := io.ReadFull(r, head[:]); err != nil {
		return h, fileErr(file, ErrTruncated, "%d bytes, shorter than the 32-byte header", n)
	}
	h.records = int(binary.LittleEndian.Uint32(head[4:]))
	h.headerLen = int(binary.LittleEndian.Uint16(head[8:]))
	h.recordLen = int(binary.LittleEndian.Uint16(head[10:]))
	if h.records < 0 || uint32(h.records) != binary.LittleEndian.Uint32(head[4:]) {
		return h, fileErr(file, ErrCorrupt, "record count %d out of range", binary.LittleEndian.Uint32(head[4:]))
	}
	if h.headerLen < 33 {
		return h, fileErr(file, ErrCorrupt, "header length %d, less than 33 bytes", h.headerLen)
	}
	if h.recordLen < 1 {
		return h, fileErr(file, ErrCorrupt, "record length %d", h.recordLen)
	}
	rest := make([]byte, h.headerLen-32)
	if n, err := io.ReadFull(r, rest); err != nil {
		return h, fileErr(file, ErrTruncated, "the header says %d bytes, the file has %d", h.headerLen, 32+n)
	}
	offset := 0
	for i := 0; ; i++ {
		d := rest[32*i:]
		if len(d) == 0 || d[0] == 0x0D {
			break
		}
		if len(d) < 32 {
			// Some writers end the last descriptor at the header's end
			// without a terminator; a partial descriptor is corruption.
			if len(d) == 1 {
				break
			}
			return h, fileErr(file, ErrCorrupt, "field descriptor %d cut by the end of the %d-byte header", i+1, h.headerLen)
		}
		name := d[:11]
		if k := bytes.IndexByte(name, 0); k >= 0 {
			name = name[:k]
		}
		f := rawField{name: bytes.TrimSpace(name), typ: d[11], length: int(d[16]), decimals: int(d[17]), offset: offset}
		if f.typ == 'C' {
			// dBASE stores character fields longer than 255 bytes with the
			// high byte of the length in the decimal count (as GDAL and
			// FoxPro write them).
			f.length += 256 * f.decimals
			f.decimals = 0
		}
		if f.length == 0 {
			// No dBASE field is empty; allowing it would let a small
			// file claim any number of values per record.
			return h, fileErr(file, ErrCorrupt, "field %d has length 0", i+1)
		}
		offset += f.length
		h.fields = append(h.fields, f)
	}
	if 1+offset > h.recordLen {
		return h, fileErr(file, ErrCorrupt, "record length mismatch: the fields take %d bytes, the header's record length is %d", 1+offset, h.recordLen)
	}
	return h, nil
}

// dbfDecoder turns the bytes of .dbf records into properties.
type dbfDecoder struct {
	file   string
	cp     *codePage
	fields []rawField
	names  []string
	warn   func(kind WarningKind, field string, record int, en, zh string, args ...any)
}

// decode returns the record's values (deleted says whether it is marked
// deleted; values are then not decoded).
func (d *dbfDecoder) decode(record int, rec []byte) (props Properties, deleted bool) {
	if len(rec) > 0 && rec[0] == '*' {
		return nil, true
	}
	props = make(Properties, len(d.fields))
	for i, f := range d.fields {
		raw := rec[1+f.offset : 1+f.offset+f.length]
		props[i] = Property{Name: d.names[i], Value: d.value(record, i, raw)}
	}
	return props, false
}

// value decodes one field value. Empty values are nil, as GDAL reads
// them: dBASE has no other way to say null.
func (d *dbfDecoder) value(record, i int, raw []byte) any {
	f := d.fields[i]
	switch f.typ {
	case 'N', 'F':
		s := strings.TrimSpace(string(bytes.Trim(raw, "\x00")))
		if s == "" || strings.Trim(s, "*") == "" {
			return nil // blanks or asterisks: dBASE's null number
		}
		if f.decimals == 0 && f.typ == 'N' {
			if v, err := strconv.ParseInt(s, 10, 64); err == nil {
				return v
			}
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || !numeric(s) {
			d.warn(WarnValue, d.names[i], record, "field %s (%c) holds %q, not a number; kept as text", "字段 %s（%c）的值 %q 不是数，按文本保留", d.names[i], f.typ, s)
			return s
		}
		return v
	case 'L':
		s := strings.TrimSpace(string(bytes.Trim(raw, "\x00")))
		switch s {
		case "", "?":
			return nil
		case "T", "t", "Y", "y":
			return true
		case "F", "f", "N", "n":
			return false
		}
		d.warn(WarnValue, d.names[i], record, "field %s (L) holds %q, not T/F/Y/N/?; kept as text", "字段 %s（L）的值 %q 不是 T/F/Y/N/?，按文本保留", d.names[i], s)
		return s
	case 'D':
		s := strings.TrimSpace(string(bytes.Trim(raw, "\x00")))
		if s == "" || s == "00000000" || s == "0" {
			return nil
		}
		if len(s) == 8 && digits(s) {
			y, _ := strconv.Atoi(s[:4])
			m, _ := strconv.Atoi(s[4:6])
			dd, _ := strconv.Atoi(s[6:])
			if m >= 1 && m <= 12 && dd >= 1 && dd <= daysIn(y, m) {
				return s[:4] + "-" + s[4:6] + "-" + s[6:]
			}
		}
		d.warn(WarnValue, d.names[i], record, "field %s (D) holds %q, not a date YYYYMMDD; kept as text", "字段 %s（D）的值 %q 不是 YYYYMMDD 日期，按文本保留", d.names[i], s)
		return s
	}
	// C and every other type: text in the code page, blanks trimmed at
	// both ends as GDAL does (dBASE pads with blanks; some writers with
	// NULs).
	raw = bytes.Trim(raw, " \x00")
	if len(raw) == 0 {
		return nil
	}
	s, ok := d.cp.decode(raw)
	if !ok {
		d.warn(WarnTextUndecodable, "", record, "text not valid %s (in field %s); the bad bytes were replaced with U+FFFD", "文本不是有效的 %s（字段 %s 中）；无效字节已替换为 U+FFFD", d.cp.name, d.names[i])
	}
	return s
}

// numeric reports whether s is a plain decimal number as dBASE writes
// them (ParseFloat also takes hex, "inf" and underscores).
func numeric(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == '.', c == '-', c == '+', c == 'e', c == 'E':
		default:
			return false
		}
	}
	return true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// fieldNames decodes the field names and reports duplicates.
func (d *dbfDecoder) fieldNames() []Field {
	out := make([]Field, len(d.fields))
	d.names = make([]string, len(d.fields))
	seen := map[string]bool{}
	for i, f := range d.fields {
		name, ok := d.cp.decode(f.name)
		if !ok {
			d.warn(WarnTextUndecodable, "", 0, "field name %d not valid %s; the bad bytes were replaced with U+FFFD", "第 %d 个字段名不是有效的 %s；无效字节已替换为 U+FFFD", i+1, d.cp.name)
		}
		if name == "" {
			name = fmt.Sprintf("FIELD_%d", i+1)
		}
		if seen[name] {
			d.warn(WarnDuplicateField, name, 0, "two fields are named %s; Get finds the first", "两个字段都名为 %s；Get 取第一个", name)
		}
		seen[name] = true
		d.names[i] = name
		out[i] = Field{Name: name, Type: f.typ, Length: f.length, Decimals: f.decimals}
	}
	return out
}

// textBytes calls fn with the bytes of each text field of a record, for
// code page detection.
func (h *dbfHeader) textBytes(rec []byte, fn func([]byte) bool) bool {
	if len(rec) > 0 && rec[0] == '*' {
		return true
	}
	for _, f := range h.fields {
		switch f.typ {
		case 'N', 'F', 'L', 'D':
			continue
		}
		if !fn(rec[1+f.offset : 1+f.offset+f.length]) {
			return false
		}
	}
	return true
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

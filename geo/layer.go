package geo

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/paulmach/orb"
)

// Feature is one feature of a layer, as read from its file or table.
// Geometry is in lon/lat (WGS84) after the layer's CRS has been applied.
type Feature struct {
	Index int // position in the FeatureCollection, from 0
	Line  int // line of the feature's opening brace; 0 when unknown
	// ID is the feature's id as a string (in GeoJSON the Feature "id"
	// member); HasID is false when it has none (absent or null).
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
	// Text says what is wrong and where, in English and Chinese.
	Text
	At *orb.Point // lon/lat "at or near", when known
}

// Layer is the content of one layer file or table.
type Layer struct {
	File     string
	CRS      CRS
	Features []Feature
	Problems []Problem
	SHA256   string
	Bytes    int64
}

// ReadOptions controls how a layer is read, in any format: geo/geojson's
// ReadLayer, BuildLayer and Assemble.
type ReadOptions struct {
	// CRS is the CRS the manifest declares; nil means "not declared": the
	// file's own (GeoJSON's old-style crs member) is honoured, else WGS84.
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
	// Feature.Properties is then nil. It runs on the worker that decoded
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

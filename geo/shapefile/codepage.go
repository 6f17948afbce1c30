package shapefile

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// CodePageSource says how the code page of the .dbf text was chosen.
type CodePageSource int

const (
	// FromCPG: named by the .cpg file.
	FromCPG CodePageSource = iota
	// FromOption: named by Options.CodePage, over any .cpg.
	FromOption
	// Detected: no .cpg; UTF-8 when the text is valid UTF-8, else GBK.
	// When the text is all ASCII the choice does not matter and no
	// warning is given.
	Detected
)

// CodePage is the code page the .dbf text was decoded with.
type CodePage struct {
	Name   string // "UTF-8", "GBK", "GB18030" or "ISO-8859-1"
	Source CodePageSource
}

// codePage decodes text of one code page.
type codePage struct {
	name string
	enc  encoding.Encoding // nil for UTF-8
}

var (
	cpUTF8    = &codePage{name: "UTF-8"}
	cpGBK     = &codePage{name: "GBK", enc: simplifiedchinese.GBK}
	cpGB18030 = &codePage{name: "GB18030", enc: simplifiedchinese.GB18030}
	cpLatin1  = &codePage{name: "ISO-8859-1", enc: charmap.ISO8859_1}
	cp1252    = &codePage{name: "Windows-1252", enc: charmap.Windows1252}
)

// codePageNames maps what .cpg files say (upper-cased, blanks removed) to
// code pages. ArcGIS writes Windows code page numbers ("936"), GDAL and
// QGIS names ("UTF-8", "GBK"); "ANSI 936" style names occur too.
var codePageNames = map[string]*codePage{
	"UTF-8": cpUTF8, "UTF8": cpUTF8, "65001": cpUTF8, "CP65001": cpUTF8,
	// ASCII is a subset of UTF-8: no byte of it decodes differently.
	"ASCII": cpUTF8, "US-ASCII": cpUTF8,
	"GBK": cpGBK, "CP936": cpGBK, "936": cpGBK, "ANSI936": cpGBK, "MS936": cpGBK, "WINDOWS-936": cpGBK,
	// GB2312 is a subset of GBK, as browsers decode it (WHATWG).
	"GB2312": cpGBK, "EUC-CN": cpGBK, "20936": cpGBK,
	"GB18030": cpGB18030, "54936": cpGB18030,
	"ISO-8859-1": cpLatin1, "ISO88591": cpLatin1, "88591": cpLatin1, "LATIN1": cpLatin1, "28591": cpLatin1,
	"1252": cp1252, "CP1252": cp1252, "ANSI1252": cp1252, "WINDOWS-1252": cp1252,
}

// SupportedCodePages lists the code page names a .cpg or Options.CodePage
// may give (case does not matter).
func SupportedCodePages() []string {
	return []string{"UTF-8", "65001", "GBK", "CP936", "936", "GB2312", "GB18030", "54936", "ISO-8859-1", "1252"}
}

func lookupCodePage(s string) (*codePage, bool) {
	key := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	cp, ok := codePageNames[key]
	return cp, ok
}

// decode returns the text of b; ok is false when some bytes were not valid
// in the code page (they become U+FFFD).
func (cp *codePage) decode(b []byte) (string, bool) {
	if isASCII(b) {
		return string(b), true // every supported code page is ASCII-compatible
	}
	if cp.enc == nil {
		if utf8.Valid(b) {
			return string(b), true
		}
		return strings.ToValidUTF8(string(b), "\uFFFD"), false
	}
	out, err := cp.enc.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD"), false
	}
	// x/text decoders replace invalid sequences with U+FFFD without an
	// error; a U+FFFD that was not in the input says some were.
	s := string(out)
	return s, !strings.ContainsRune(s, utf8.RuneError)
}

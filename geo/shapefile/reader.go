package shapefile

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
)

// Options controls Open and Read.
type Options struct {
	// CodePage, when set, decodes the .dbf text with this code page
	// instead of the one the .cpg names or detection picks (e.g. from the
	// manifest). See SupportedCodePages.
	CodePage string
	// MaxVertices bounds the points of one record; a record with more is
	// a Problem. 0 means geo.DefaultMaxVertices.
	MaxVertices int
	// MaxBytes bounds the size of the .shp and of the .dbf; a larger file
	// is refused with ErrTooLarge. 0 means geo.DefaultMaxBytes.
	MaxBytes int64
}

// Layer is a whole Shapefile as Read returns it.
type Layer struct {
	File       string    // the .shp, as given
	ShapeType  ShapeType // from the .shp header
	Bound      orb.Bound // from the .shp header, in the file's coordinates
	Fields     []Field
	CodePage   CodePage
	Projection Projection
	Features   []Feature
	// Records is the number of records in the .shp; Deleted how many of
	// them the .dbf marks deleted (not in Features).
	Records, Deleted int
	Warnings         []Warning
}

// Read reads a whole Shapefile: path names the .shp; the .shx and .dbf
// beside it (same base name, extension in either case) must exist, the
// .prj and .cpg may.
func Read(ctx context.Context, path string, opts Options) (*Layer, error) {
	r, err := Open(ctx, path, opts)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	l := &Layer{File: r.shpPath, ShapeType: r.ShapeType, Bound: r.Bound, Fields: r.Fields,
		CodePage: r.CodePage, Projection: r.Projection, Records: r.Records}
	l.Features = make([]Feature, 0, r.Records)
	for {
		f, err := r.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		l.Features = append(l.Features, f)
	}
	l.Deleted = r.Deleted()
	l.Warnings = r.Warnings()
	return l, nil
}

// Reader reads a Shapefile record by record. Its fields describe the
// layer and are set by Open.
type Reader struct {
	ShapeType  ShapeType
	Bound      orb.Bound
	Fields     []Field
	CodePage   CodePage
	Projection Projection
	Records    int // records in the .shp (deleted ones included)

	shpPath, shxPath, dbfPath string
	shpFile, shxFile, dbfFile *os.File
	shp, shx, dbf             *bufio.Reader
	shpLen                    int64 // bytes of records, from the .shp header
	shpOff                    int64 // offset of the next .shp record
	dbfHeader                 dbfHeader
	dec                       *dbfDecoder
	maxVertices               int
	next                      int // 0-based index of the next record
	deleted                   int
	buf, rec                  []byte
	warnings                  []Warning
	warnIndex                 map[string]int
	done                      bool
}

// sidecar finds the file beside shp with extension ext (".shx"), trying
// the .shp's own case, then lower and upper case, as files copied between
// Windows and Unix come in either.
func sidecar(shp, ext string) (string, bool) {
	base := strings.TrimSuffix(shp, filepath.Ext(shp))
	cands := []string{base + ext, base + strings.ToUpper(ext)}
	if e := filepath.Ext(shp); e != "" && e == strings.ToUpper(e) {
		cands[0], cands[1] = cands[1], cands[0]
	}
	for _, c := range cands {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c, true
		}
	}
	return cands[0], false
}

// Open opens a Shapefile for reading record by record and checks what
// can be checked before the first record: the headers, the .shx and .dbf
// record counts against the .shp, the .cpg and the .prj. It does not read
// the whole .shp; Next does that.
func Open(ctx context.Context, path string, opts Options) (_ *Reader, err error) {
	if opts.MaxVertices <= 0 {
		opts.MaxVertices = geo.DefaultMaxVertices
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = geo.DefaultMaxBytes
	}
	r := &Reader{shpPath: path, maxVertices: opts.MaxVertices, warnIndex: map[string]int{}}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	var ok bool
	if r.shxPath, ok = sidecar(path, ".shx"); !ok {
		return nil, fileErr(r.shxPath, ErrMissing, "the index of %s is not there (a Shapefile is the .shp, .shx and .dbf together)", filepath.Base(path))
	}
	if r.dbfPath, ok = sidecar(path, ".dbf"); !ok {
		return nil, fileErr(r.dbfPath, ErrMissing, "the attributes of %s are not there (a Shapefile is the .shp, .shx and .dbf together)", filepath.Base(path))
	}
	shpSize, err := r.open(path, &r.shpFile, &r.shp, opts.MaxBytes)
	if err != nil {
		return nil, err
	}
	shxSize, err := r.open(r.shxPath, &r.shxFile, &r.shx, opts.MaxBytes)
	if err != nil {
		return nil, err
	}
	dbfSize, err := r.open(r.dbfPath, &r.dbfFile, &r.dbf, opts.MaxBytes)
	if err != nil {
		return nil, err
	}

	// .shp header: the file length it gives must be there.
	var hb [headerLen]byte
	n, _ := io.ReadFull(r.shp, hb[:])
	h, err := parseHeader(path, hb[:n])
	if err != nil {
		return nil, err
	}
	r.ShapeType, r.Bound = h.shapeType, h.bound
	switch {
	case h.length < headerLen:
		return nil, fileErr(path, ErrCorrupt, "header gives a file length of %d bytes, less than the header", h.length)
	case h.length > shpSize:
		return nil, fileErr(path, ErrTruncated, "header gives %d bytes, the file has %d", h.length, shpSize)
	case h.length < shpSize:
		r.warn(WarnTrailingBytes, path, "", 0, "%d bytes after the end the header gives; not read", "文件头所给的结尾之后还有 %d 字节，未读取", shpSize-h.length)
	}
	r.shpLen, r.shpOff = h.length, headerLen

	// .shx header: same shape type; one 8-byte entry per record.
	n, _ = io.ReadFull(r.shx, hb[:])
	xh, err := parseHeader(r.shxPath, hb[:n])
	if err != nil {
		return nil, err
	}
	switch {
	case xh.shapeType != h.shapeType:
		return nil, fileErr(r.shxPath, ErrInconsistent, "shape type %s, the .shp's is %s", xh.shapeType, h.shapeType)
	case xh.length > shxSize:
		return nil, fileErr(r.shxPath, ErrTruncated, "header gives %d bytes, the file has %d", xh.length, shxSize)
	case xh.length < headerLen || (xh.length-headerLen)%shxEntryLen != 0:
		return nil, fileErr(r.shxPath, ErrCorrupt, "header gives a length of %d bytes, not 100 + 8 per record", xh.length)
	}
	r.Records = int((xh.length - headerLen) / shxEntryLen)

	// .dbf: at least as many records as the .shp, all of them there.
	if r.dbfHeader, err = parseDBFHeader(r.dbfPath, r.dbf); err != nil {
		return nil, err
	}
	dh := r.dbfHeader
	if dh.records < r.Records {
		return nil, fileErr(r.dbfPath, ErrInconsistent, "%d records, fewer than the %d shapes of %s", dh.records, r.Records, filepath.Base(path))
	}
	if need := int64(dh.headerLen) + int64(dh.records)*int64(dh.recordLen); need > dbfSize {
		return nil, fileErr(r.dbfPath, ErrTruncated, "%d records of %d bytes after a %d-byte header need %d bytes, the file has %d", dh.records, dh.recordLen, dh.headerLen, need, dbfSize)
	}
	if dh.records > r.Records {
		r.warn(WarnExtraRecords, r.dbfPath, "", 0, "%d records, more than the %d shapes of %s; the last %d are not read", "%[1]d 条记录，多于 %[3]s 的 %[2]d 个形状；最后 %[4]d 条未读取", dh.records, r.Records, filepath.Base(path), dh.records-r.Records)
	}

	cp, err := r.codePage(ctx, opts)
	if err != nil {
		return nil, err
	}
	r.dec = &dbfDecoder{file: r.dbfPath, cp: cp, fields: dh.fields, warn: func(kind WarningKind, field string, record int, en, zh string, args ...any) {
		r.warn(kind, r.dbfPath, field, record, en, zh, args...)
	}}
	r.Fields = r.dec.fieldNames()

	if prj, ok := sidecar(path, ".prj"); ok {
		b, err := readSmall(prj, 1<<20)
		if err != nil {
			return nil, err
		}
		r.Projection = ParsePrj(string(b))
	}
	r.buf = make([]byte, dh.recordLen)
	return r, nil
}

// open opens a file of the layer, refusing what is not a regular file (a
// named pipe would block beyond ctx's reach) or is larger than max.
func (r *Reader) open(path string, f **os.File, br **bufio.Reader, max int64) (int64, error) {
	if kind := geo.NotRegular(path); kind != "" {
		return 0, fileErr(path, ErrCorrupt, "%s, not a regular file", kind)
	}
	file, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, fileErr(path, ErrMissing, "%v", err)
		}
		return 0, fmt.Errorf("shapefile: %w", err)
	}
	*f = file
	st, err := file.Stat()
	if err != nil {
		return 0, fmt.Errorf("shapefile: %w", err)
	}
	if st.Size() > max {
		return 0, fileErr(path, ErrTooLarge, "%d bytes, more than %d", st.Size(), max)
	}
	*br = bufio.NewReaderSize(file, 1<<16)
	return st.Size(), nil
}

func readSmall(path string, max int64) ([]byte, error) {
	if kind := geo.NotRegular(path); kind != "" {
		return nil, fileErr(path, ErrCorrupt, "%s, not a regular file", kind)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("shapefile: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("shapefile: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fileErr(path, ErrTooLarge, "more than %d bytes", max)
	}
	return b, nil
}

// codePage chooses the code page: Options.CodePage, else the .cpg, else
// detected from the text of the .dbf.
func (r *Reader) codePage(ctx context.Context, opts Options) (*codePage, error) {
	if opts.CodePage != "" {
		cp, ok := lookupCodePage(opts.CodePage)
		if !ok {
			return nil, &Error{File: r.dbfPath, Err: ErrCodePage, Detail: fmt.Sprintf("%q given for it (supported: %s)", opts.CodePage, strings.Join(SupportedCodePages(), ", "))}
		}
		r.CodePage = CodePage{Name: cp.name, Source: FromOption}
		return cp, nil
	}
	if cpg, ok := sidecar(r.shpPath, ".cpg"); ok {
		b, err := readSmall(cpg, 4096)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSpace(strings.TrimPrefix(string(b), "\uFEFF"))
		if name != "" {
			cp, ok := lookupCodePage(name)
			if !ok {
				return nil, fileErr(cpg, ErrCodePage, "%q (supported: %s)", name, strings.Join(SupportedCodePages(), ", "))
			}
			r.CodePage = CodePage{Name: cp.name, Source: FromCPG}
			return cp, nil
		}
	}
	// Detection reads the text fields of every record once, before the
	// records are read: GBK text is rarely valid UTF-8, so one invalid
	// sequence settles it.
	r.CodePage = CodePage{Name: cpUTF8.name, Source: Detected}
	f, err := os.Open(r.dbfPath)
	if err != nil {
		return nil, fmt.Errorf("shapefile: %w", err)
	}
	defer f.Close()
	dh := r.dbfHeader
	br := bufio.NewReaderSize(io.NewSectionReader(f, int64(dh.headerLen), int64(dh.records)*int64(dh.recordLen)), 1<<16)
	rec := make([]byte, dh.recordLen)
	ascii, valid := true, true
	check := func(b []byte) bool {
		if isASCII(b) {
			return true
		}
		ascii = false
		valid = utf8.Valid(b)
		return valid
	}
	for _, fd := range dh.fields {
		if !check(fd.name) {
			break
		}
	}
	for i := 0; valid && i < r.Records; i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		if _, err := io.ReadFull(br, rec); err != nil {
			return nil, recordErr(r.dbfPath, i+1, ErrTruncated, "%v", err)
		}
		if !dh.textBytes(rec, check) {
			break
		}
	}
	switch {
	case ascii:
		return cpUTF8, nil
	case valid:
		r.warn(WarnCodePageDetected, r.dbfPath, "", 0, "no .cpg names its code page; the text is valid UTF-8 and was read as UTF-8 (add a .cpg saying UTF-8 to be sure)",
			"没有 .cpg 说明代码页；文本是有效的 UTF-8，已按 UTF-8 读取（请补充写明 UTF-8 的 .cpg 以确保无误）")
		return cpUTF8, nil
	}
	r.CodePage.Name = cpGBK.name
	r.warn(WarnCodePageDetected, r.dbfPath, "", 0, "no .cpg names its code page; the text is not UTF-8 and was read as GBK (add a .cpg saying GBK or UTF-8 to be sure)",
		"没有 .cpg 说明代码页；文本不是 UTF-8，已按 GBK 读取（请补充写明 GBK 或 UTF-8 的 .cpg 以确保无误）")
	return cpGBK, nil
}

// warn records a warning, counting repeats of one kind (and field).
// en and zh say the same in English and Chinese, from the same args.
func (r *Reader) warn(kind WarningKind, file, field string, record int, en, zh string, args ...any) {
	key := fmt.Sprintf("%d\x00%s\x00%s", kind, file, field)
	if i, ok := r.warnIndex[key]; ok {
		if record > 0 {
			r.warnings[i].Count++
		}
		return
	}
	w := Warning{Kind: kind, File: file, Record: record, Message: fmt.Sprintf(en, args...), MessageZH: fmt.Sprintf(zh, args...)}
	if record > 0 {
		w.Count = 1
	}
	r.warnIndex[key] = len(r.warnings)
	r.warnings = append(r.warnings, w)
}

// Warnings returns the warnings so far: all of them once Next has
// returned io.EOF. Counted warnings say how many records in their message.
func (r *Reader) Warnings() []Warning {
	out := make([]Warning, 0, len(r.warnings)+1)
	for _, w := range r.warnings {
		if w.Count > 1 {
			w.Message = fmt.Sprintf("%s (%d records, the first is record %d)", w.Message, w.Count, w.Record)
		}
		out = append(out, w)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// Deleted returns the number of records skipped so far because the .dbf
// marks them deleted.
func (r *Reader) Deleted() int { return r.deleted }

// Next returns the next feature, skipping records the .dbf marks deleted;
// io.EOF after the last. An error other than io.EOF means the files are
// broken at that record; the Reader is then done.
func (r *Reader) Next(ctx context.Context) (Feature, error) {
	for {
		if r.done {
			return Feature{}, io.EOF
		}
		if r.next%256 == 0 {
			if err := ctx.Err(); err != nil {
				r.done = true
				return Feature{}, err
			}
		}
		f, deleted, err := r.read()
		if err != nil {
			r.done = true
			return Feature{}, err
		}
		if r.done {
			return Feature{}, io.EOF
		}
		if !deleted {
			return f, nil
		}
	}
}

// read reads record r.next from the three files.
func (r *Reader) read() (Feature, bool, error) {
	if r.next >= r.Records {
		if r.shpOff < r.shpLen {
			return Feature{}, false, fileErr(r.shxPath, ErrInconsistent, "%d records, but %s has %d more bytes of records after them", r.Records, filepath.Base(r.shpPath), r.shpLen-r.shpOff)
		}
		r.done = true
		return Feature{}, false, nil
	}
	num := r.next + 1
	var ent [shxEntryLen]byte
	if _, err := io.ReadFull(r.shx, ent[:]); err != nil {
		return Feature{}, false, recordErr(r.shxPath, num, ErrTruncated, "index entry: %v", err)
	}
	xoff := int64(binary.BigEndian.Uint32(ent[0:])) * 2
	xlen := int64(binary.BigEndian.Uint32(ent[4:])) * 2
	if xoff != r.shpOff {
		return Feature{}, false, recordErr(r.shxPath, num, ErrInconsistent, "index gives offset %d, the record is at %d in %s", xoff, r.shpOff, filepath.Base(r.shpPath))
	}
	var rh [recordHeaderLen]byte
	if r.shpOff+recordHeaderLen > r.shpLen {
		return Feature{}, false, recordErr(r.shpPath, num, ErrTruncated, "the file ends at %d, inside the record header at %d", r.shpLen, r.shpOff)
	}
	if _, err := io.ReadFull(r.shp, rh[:]); err != nil {
		return Feature{}, false, recordErr(r.shpPath, num, ErrTruncated, "record header: %v", err)
	}
	clen := int64(binary.BigEndian.Uint32(rh[4:])) * 2
	if clen != xlen {
		return Feature{}, false, recordErr(r.shxPath, num, ErrInconsistent, "record length mismatch: index gives %d bytes, %s's record header %d", xlen, filepath.Base(r.shpPath), clen)
	}
	if r.shpOff+recordHeaderLen+clen > r.shpLen {
		return Feature{}, false, recordErr(r.shpPath, num, ErrTruncated, "record of %d bytes at %d runs past the end of the file at %d", clen, r.shpOff, r.shpLen)
	}
	if int64(cap(r.rec)) < clen {
		r.rec = make([]byte, clen)
	}
	content := r.rec[:clen]
	if _, err := io.ReadFull(r.shp, content); err != nil {
		return Feature{}, false, recordErr(r.shpPath, num, ErrTruncated, "%v", err)
	}
	r.shpOff += recordHeaderLen + clen
	r.next++

	if _, err := io.ReadFull(r.dbf, r.buf); err != nil {
		return Feature{}, false, recordErr(r.dbfPath, num, ErrTruncated, "%v", err)
	}
	props, deleted := r.dec.decode(num, r.buf)
	if deleted {
		r.deleted++
		r.warn(WarnDeletedRecords, r.dbfPath, "", num, "record marked deleted; skipped with its shape, as GDAL does", "记录已标记删除；与其形状一并跳过（与 GDAL 相同）")
		return Feature{}, true, nil
	}
	s, err := decodeShape(r.shpPath, num, r.ShapeType, content, r.maxVertices)
	if err != nil {
		return Feature{}, false, err
	}
	if s.ringOrder {
		r.warn(WarnRingOrder, r.shpPath, "", num, "a counter-clockwise ring lies in no clockwise ring (Shapefile exterior rings are clockwise); read as an exterior ring, as GDAL does",
			"一个逆时针环不在任何顺时针环之内（Shapefile 的外环为顺时针）；按外环读取（与 GDAL 相同）")
	}
	return Feature{Record: num, Geometry: s.geom, Properties: props, Problem: s.problem}, false, nil
}

// Close closes the files.
func (r *Reader) Close() error {
	var first error
	for _, f := range []*os.File{r.shpFile, r.shxFile, r.dbfFile} {
		if f != nil {
			if err := f.Close(); err != nil && first == nil {
				first = fmt.Errorf("shapefile: %w", err)
			}
		}
	}
	r.shpFile, r.shxFile, r.dbfFile = nil, nil, nil
	return first
}

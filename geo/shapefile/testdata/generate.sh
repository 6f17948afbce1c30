#!/bin/sh
# Regenerates the Shapefiles here from src/*.geojson (subsets of
# fixtures/czt/layers plus src/values.geojson) with GDAL's ogr2ogr, the
# reference writer. Tests compare what the reader makes of each with its
# source. Run from this directory: sh generate.sh
set -eu
rm -f *.shp *.shx *.dbf *.prj *.cpg
shp() { # name source [ogr2ogr options]
  name=$1 src=$2; shift 2
  ogr2ogr -f "ESRI Shapefile" "$name.shp" "src/$src.geojson" -nln "$name" "$@"
}
shp landuse_utf8 landuse -lco ENCODING=UTF-8
shp landuse_gbk landuse -lco ENCODING=GBK -a_srs EPSG:4490
shp landuse_4547 landuse -lco ENCODING=UTF-8 -t_srs EPSG:4547
shp landuse_4526 landuse -lco ENCODING=UTF-8 -t_srs EPSG:4526
shp landuse_m landuse -lco ENCODING=UTF-8 -dim XYM
shp zhuzhou_4547 zhuzhou -lco ENCODING=GBK -a_srs EPSG:4547
shp infra_utf8 infra -lco ENCODING=UTF-8
shp infra_z infra -lco ENCODING=GBK -dim XYZ
shp stations_utf8 stations -lco ENCODING=UTF-8
shp stations_multi stations -lco ENCODING=UTF-8 -nlt MULTIPOINT
shp stations_zm stations -lco ENCODING=GBK -dim XYZM
shp values_utf8 values -lco ENCODING=UTF-8
shp values_gbk values -lco ENCODING=GBK

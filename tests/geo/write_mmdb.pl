#!/usr/bin/perl
# Writes a MaxMind DB file for the geo tests with Debian's MaxMind::DB::Writer.
#
#   write_mmdb.pl OUTPUT.mmdb < spec.json
#
# spec.json:
#   { "database_type": "GeoLite2-City", "ip_version": 6, "build_epoch": 1780000000,
#     "description": "...", "types": { "latitude": "float" },      # optional type overrides
#     "records": [ { "network": "81.2.69.0/24", "data": { ... } }, ... ] }
#
# Value types follow the real databases: GeoIP2 coordinates are doubles, DB-IP Lite's floats
# (say so in "types"), accuracy_radius uint16, AS numbers uint32, everything else strings, maps
# and arrays.
use strict;
use warnings;
use JSON::PP;
use MaxMind::DB::Writer::Tree;

my $output = shift @ARGV or die "usage: $0 OUTPUT.mmdb < spec.json\n";
my $json = do { local $/; <STDIN> };
my $spec = JSON::PP->new->utf8->decode($json);

my %types = (
    latitude                       => 'double',
    longitude                      => 'double',
    accuracy_radius                => 'uint16',
    autonomous_system_number       => 'uint32',
    geoname_id                     => 'uint32',
    names                          => 'map',
    city                           => 'map',
    country                        => 'map',
    location                       => 'map',
    subdivisions                   => [ 'array', 'map' ],
    autonomous_system_organization => 'utf8_string',
);
%types = (%types, %{ $spec->{types} || {} });

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version              => $spec->{ip_version} || 6,
    record_size             => 24,
    database_type           => $spec->{database_type} || 'tracemap-test',
    languages               => ['en'],
    description             => { en => ($spec->{description} || 'tracemap test database') },
    remove_reserved_networks => 0,
    map_key_type_callback   => sub { $types{ $_[0] } || 'utf8_string' },
);
# The writer stamps the current time by default; tests want a known build.
$tree->_set_build_epoch($spec->{build_epoch}) if defined $spec->{build_epoch};
for my $record (@{ $spec->{records} }) {
    $tree->insert_network($record->{network}, $record->{data});
}

open(my $fh, '>:raw', $output) or die "cannot write $output: $!\n";
$tree->write_tree($fh);
close($fh) or die "cannot write $output: $!\n";

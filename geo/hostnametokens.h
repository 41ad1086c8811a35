#pragma once
// Splitting a router host name into labels and tokens for HostnameHintProvider's generic
// reading: the operator's registered domain is dropped ("ntt.net", "example.co.uk"), country
// labels are noted (".de.", ".uk.", and the ccTLD more weakly), and each label is cut into
// tokens at dashes, underscores and digits ("frnkge13" -> "frnkge" + site number, "los-angeles"
// -> "los", "angeles", "losangeles"). Words that name interfaces, roles or access technologies
// (ae, xe, et, ge, be, te, hu, po, irb, vlan, lo, cr, br, core, edge, bb, gw, static, pool, ...)
// and device tokens that glue letters to numbers ("alb2nqp8") are never places.
//
// Pure functions of the name; no state.

#include <QList>
#include <QString>
#include <QStringList>

namespace tracemap {

class PlaceDictionary;

struct HostnameLabels
{
    QStringList labels;    // the name's labels without the registered domain, left to right
    QString strongCountry; // ISO code of the first country label (".de." -> "DE"), or empty
    QString countryLabel;  // that label as written ("uk")
    QString weakCountry;   // the ccTLD's country, or empty
};

struct HostnameToken
{
    QString text;            // lower-case letters: "frnkge", "losangeles"
    int label = 0;           // index into HostnameLabels::labels
    bool siteNumber = false; // digits follow directly: "fra3", "lon13"
    bool joined = false;     // made of two neighbouring parts: "los" + "angeles"
    bool lastLabel = false;  // in the label just before the operator's domain
    QString next;            // the following part or label when it is 2-3 letters ("miami-fl", "sanjose.ca")
};

HostnameLabels splitHostname(const QString &lowerName, const PlaceDictionary &places);
QList<HostnameToken> tokenize(const HostnameLabels &labels);
// Interface, role and access words, and other words that look like codes but are not places.
bool isNotPlaceWord(const QString &token);
// Everyday words and common surnames that are also places ("per", "ortega", "anderson"): the
// generic reading takes them only with a country label of the place's country.
bool isCommonWord(const QString &token);
// Data-centre fabric switches whose role word is also a place code: a top-of-rack switch
// ("tor01", Toronto's metro code) or a rack switch ("rsw1", Fort Myers' airport). They are no
// place where a label further right holds the site ("vlan100.r19.tor01.iad04.fab.netarch...").
bool isRackSwitchWord(const QString &token);
// "uk" -> "GB", else upper case.
QString countryFromLabel(const QString &label);

} // namespace tracemap

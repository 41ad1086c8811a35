#pragma once
// Places from router host names: "ae-1.r21.frnkge13.de.bb.gin.ntt.net" -> Frankfurt (CLLI-style
// code), "be2869.ccr41.lon13.atlas.cogentco.com" -> London (metro code), "xe-0.mpr1.lhr15.uk.
// zip.zayo.com" -> London (IATA code + country label), "ae12.edge3.Frankfurt1.Level3.net" ->
// Frankfurt (city name). Codes that mean several places (a carrier's "ash" is Ashburn VA, IATA
// ASH is Nashua NH) yield the best guess plus alternatives, for the chain's RTT check.

#include "geoprovider.h"
#include "placedictionary.h"

#include <QLoggingCategory>

#include <memory>

Q_DECLARE_LOGGING_CATEGORY(lcHostnameHints)

namespace tracemap {

class HostnameHintProvider : public GeoProvider
{
public:
    explicit HostnameHintProvider(std::shared_ptr<const PlaceDictionary> places);

    QString id() const override; // "hostname"
    void lookup(const GeoQuery &query, Callback done) override;

    // Synchronous core of lookup(): decides from the host name alone.
    GeoAnswer hintFor(const QString &hostname) const;

private:
    std::shared_ptr<const PlaceDictionary> m_places;
};

} // namespace tracemap

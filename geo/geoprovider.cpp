#include "geoprovider.h"

namespace tracemap {

namespace {

class DeclaredRole final : public GeoProvider
{
public:
    DeclaredRole(std::unique_ptr<GeoProvider> inner, ProviderRole role)
        : m_inner(std::move(inner)), m_role(role)
    {}
    QString id() const override { return m_inner->id(); }
    ProviderRole role() const override { return m_role; }
    void lookup(const GeoQuery &query, Callback done) override { m_inner->lookup(query, std::move(done)); }
    void cancelAll() override { m_inner->cancelAll(); }

private:
    std::unique_ptr<GeoProvider> m_inner;
    ProviderRole m_role;
};

} // namespace

std::unique_ptr<GeoProvider> withRole(std::unique_ptr<GeoProvider> provider, ProviderRole role)
{
    return std::make_unique<DeclaredRole>(std::move(provider), role);
}

} // namespace tracemap

// VantageController: routes measured from other vantage points (RIPE Atlas and Globalping result
// files, an Atlas measurement fetched by ID or created as a one-off, a Globalping measurement
// created here, a trace on a tracemap-agent) on the desktop map beside this machine's trace.
// Contract:
//  - it owns a RouteSet (Main.qml lists it in MapPane.routeSets): one MapRoute per vantage route,
//    coloured MapRenderer::routePaletteColor(i), named "<vantage>, <place>", shown or hidden one
//    by one; a failed route is listed as failed and never touches the others;
//  - every route's hops go through the application's GeoService (the same chain as this
//    machine's trace) by a TraceLocator of their own whose start is the vantage's place (else the
//    first public responder's): the service takes the start per query, so routes from many
//    places share one chain at once; an agent's route starts where chooseVantageStart() says
//    (its configured place, else its public address located by this chain, else the estimate);
//  - each route keeps its hops in a HopListModel, which the hop table shows one route at a time
//    (selectedIndex: -1 is "this machine", the TraceController's model).
//  - creating a RIPE Atlas one-off spends the user's credits: requestAtlasTrace() only prices it
//    (pendingCreation); nothing is sent until confirmCreation(), and cancelCreation() sends nothing;
//  - created measurements stream in: routes are added (Atlas) or grow (Globalping) as answers come,
//    each with its probe's place as its start; a placeholder row carries the measurement's state.
// Remote failures (401/403, 429, deadlines) mark only the route they belong to.
#pragma once

#include "routeset.h"
#include "vantage.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <functional>
#include <memory>
#include <vector>

class QNetworkAccessManager;

namespace tracemap {

class AtlasClient;
struct AtlasTraceSpec;
class GeoService;
class GlobalpingClient;
struct GlobalpingSpec;
class HopListModel;
class MeasurementClient;
class SecretStore;
class TraceLocator;
struct VantageStart;

// A saved result document, recognised by content: a RIPE Atlas results array or a Globalping
// measurement. Routes empty and *error set when it is neither or is damaged.
enum class VantageDocumentKind { Unknown, RipeAtlas, Globalping };
VantageDocumentKind vantageDocumentKind(const QByteArray &document);
QList<VantageTrace> readVantageDocument(const QByteArray &document, QString *error);

class VantageController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The application creates the vantage controller")
    Q_PROPERTY(tracemap::RouteSet *routes READ routes CONSTANT)
    Q_PROPERTY(int count READ count NOTIFY routesChanged)
    // [{name, place, color, state, stateText, reason, visible, start, startNote}] in route order,
    // for lists and selectors; start ("configured", "address", "estimated", "none") and its
    // one-line note only for agent routes (empty for others).
    Q_PROPERTY(QVariantList routeList READ routeList NOTIFY routesChanged)
    Q_PROPERTY(int selectedIndex READ selectedIndex WRITE setSelectedIndex NOTIFY selectedIndexChanged)
    // The selected route's hops (null while "this machine" is selected).
    Q_PROPERTY(tracemap::HopListModel *selectedModel READ selectedModel NOTIFY selectedIndexChanged)
    // Where the selected route starts, as the status bar says it for this machine ("Start: ...");
    // empty while "this machine" is selected.
    Q_PROPERTY(QString selectedStartText READ selectedStartText NOTIFY selectedStartTextChanged)
    Q_PROPERTY(int pendingLookups READ pendingLookups NOTIFY pendingLookupsChanged)
    Q_PROPERTY(QString statusMessage READ statusMessage NOTIFY statusMessageChanged)
    Q_PROPERTY(QUrl atlasUrl READ atlasUrl WRITE setAtlasUrl NOTIFY apiUrlsChanged)
    Q_PROPERTY(QUrl globalpingUrl READ globalpingUrl WRITE setGlobalpingUrl NOTIFY apiUrlsChanged)
    // A measurement that spends credits, waiting for the user's yes: {service, target, probes,
    // credits, text}; empty when none is waiting.
    Q_PROPERTY(QVariantMap pendingCreation READ pendingCreation NOTIFY pendingCreationChanged)
    Q_PROPERTY(QStringList atlasAreas READ atlasAreaNames CONSTANT)
public:
    enum State { Loading, Streaming, Done, Failed };
    Q_ENUM(State)

    // geo may be null (hops are listed, not placed); not owned.
    explicit VantageController(GeoService *geo, QObject *parent = nullptr);
    ~VantageController() override;

    // Replaces the geolocation service (not owned) and locates every route again through it.
    void setGeoService(GeoService *geo);

    RouteSet *routes() const { return m_routeSet; }
    int count() const { return int(m_routes.size()); }
    QVariantList routeList() const;
    int selectedIndex() const { return m_selected; }
    void setSelectedIndex(int index);
    HopListModel *selectedModel() const;
    QString selectedStartText() const { return m_selectedStartText; }
    int pendingLookups() const;
    QString statusMessage() const { return m_status; }
    QUrl atlasUrl() const { return m_atlasUrl; }
    void setAtlasUrl(const QUrl &url);
    QUrl globalpingUrl() const { return m_globalpingUrl; }
    void setGlobalpingUrl(const QUrl &url);
    QVariantMap pendingCreation() const;
    static QStringList atlasAreaNames();

    // Deadlines and poll intervals of created measurements (tests shorten them).
    struct RemoteTimings
    {
        int requestMs = 60000;                   // one request
        int atlasOverallMs = 15 * 60 * 1000;     // a one-off, from creation to the last result
        int atlasPollMs = 10000;                 // between status polls
        int globalpingOverallMs = 5 * 60 * 1000; // a Globalping measurement
        int globalpingPollMs = 500;              // after each answer (the API's guideline)
    };
    void setRemoteTimings(const RemoteTimings &timings) { m_timings = timings; }

    // Adds one route per vantage of a saved Atlas or Globalping document (a path or file: URL).
    // False with statusMessage saying why when it cannot be read; nothing is added then.
    Q_INVOKABLE bool openFile(const QString &pathOrUrl);
    // True when the file is a document openFile() reads (by content, not by name).
    Q_INVOKABLE static bool isVantageFile(const QString &pathOrUrl);
    // Fetches the results of a RIPE Atlas measurement; a placeholder route stands for it until
    // they arrive and carries its failure.
    Q_INVOKABLE void fetchAtlas(qint64 measurementId);
    // Traces `target` on a tracemap-agent (streamed hop by hop). The token (may be empty: the one
    // kept for this agent, if any) is kept in the secret store; a refusal fails only this route.
    Q_INVOKABLE void traceViaAgent(const QString &agentUrl, const QString &target, const QString &token);
    // Prices a RIPE Atlas one-off traceroute from `probes` probes chosen by `selection` ("country",
    // "asn" or "area") and `value`, with the key kept in the secret store: pendingCreation then
    // holds the expected credits. A bad request or a missing key says why in statusMessage.
    Q_INVOKABLE void requestAtlasTrace(const QString &target, int probes, const QString &selection,
                                       const QString &value);
    // The user said yes to pendingCreation: creates it (POST) and polls until its results are in.
    Q_INVOKABLE void confirmCreation();
    // The user said no: nothing is created, nothing is sent.
    Q_INVOKABLE void cancelCreation();
    // Creates a Globalping traceroute (or mtr) from `limit` probes at `from` (the `magic` location;
    // empty: anywhere) and polls it; `token` is optional (empty: the kept one, if any).
    Q_INVOKABLE void createGlobalping(const QString &target, const QString &from, int limit, bool mtr,
                                      const QString &token);

    // Routes from elsewhere (a document, an API, an agent). Returns the first new index.
    int addRoutes(const QList<VantageTrace> &routes, State state = Done);
    State state(int index) const;
    QString reason(int index) const;
    VantageTrace route(int index) const;
    Q_INVOKABLE void setRouteVisible(int index, bool visible);
    Q_INVOKABLE void clear();
    // A centre and zoom that show every visible route in a view of this size:
    // {centerLatitude, centerLongitude, zoom}; empty when nothing is placed.
    Q_INVOKABLE QVariantMap frame(double width, double height) const;
    // The map as the scripted export draws it: every route framed, on the compiled-in basemap
    // (no tiles), the attributions of the geolocation data in use. Pure: no item involved.
    MapScene scene() const;
    // Renders scene() framed in width x height and writes a PNG; empty on success, else why not.
    Q_INVOKABLE QString exportImage(const QString &path, int width, int height) const;
    // Every route located and none still loading.
    bool isSettled() const;

    void setNetwork(QNetworkAccessManager *network) { m_network = network; }
    // How an agent's address is found from its URL: null (the default, and whenever it returns a
    // null address) takes the URL's host, resolved as the connection resolves it. Tests inject a
    // public address here: a loopback fake agent's own address has no place.
    void setAgentAddressLookup(std::function<QHostAddress(const QUrl &)> lookup)
    {
        m_agentAddressLookup = std::move(lookup);
    }
    // Where API keys are kept (not owned; may be null: no key is used or kept). Its one-time
    // "no keyring" notice shows in statusMessage.
    void setSecretStore(SecretStore *store);
    // Keeps the user's RIPE Atlas API key in the store (empty: removes it); used for fetches.
    Q_INVOKABLE void setAtlasKey(const QString &key);

signals:
    void routesChanged();
    void selectedIndexChanged();
    void selectedStartTextChanged();
    void pendingLookupsChanged();
    void pendingCreationChanged();
    void statusMessageChanged();
    void apiUrlsChanged();
    void settled(); // isSettled() became true

private:
    struct Route;
    Route &makeRoute(const VantageTrace &trace, State state);
    Route *findRoute(const QString &id);
    QNetworkAccessManager *network();
    // Runs `start` with the secret: `given` (then kept under `name`), else the kept one (empty
    // when none, or without a store); not once `user` is gone.
    void withSecret(const QString &name, const QByteArray &given, QObject *user,
                    std::function<void(const QByteArray &)> start);
    void locate(Route &route);
    // Agent routes: where the route starts (vantagestart.h) from what is known now, and that
    // start applied to the route (its vantage place, its locator) when it moved.
    VantageStart agentStart(const Route &route) const;
    // Recomputes selectedStartText (the selection, a route's start or the routes changed).
    void updateSelectedStart();
    // Finds the agent's address and the chain's answer for it (through m_geo), then applies it.
    void findAgentStart(Route &route);
    void applyAgentStart(Route &route);
    void setState(Route &route, State state, const QString &reason = {});
    void updateRoute(Route &route, const VantageTrace &trace, State state);
    QString addPlaceholder(VantageKind kind, const QString &id, const QString &name, qint64 measurementId);
    void watchAtlas(AtlasClient *client, const QString &placeholder);
    void watchWaiting(MeasurementClient *client, const QString &placeholder);
    void createAtlas(const AtlasTraceSpec &spec, const QByteArray &key);
    GlobalpingClient *prepareGlobalping(const GlobalpingSpec &spec);
    void setStatus(const QString &message);
    // In an offline run (the geolocation chain's settings), a server other than this machine
    // is not contacted: says so in the status line and returns true (base/offline.h).
    bool refusedOffline(const QUrl &server);
    void scheduleRebuild();
    void rebuild();

    QPointer<GeoService> m_geo;
    QNetworkAccessManager *m_network = nullptr;
    QPointer<SecretStore> m_secrets;
    std::unique_ptr<QNetworkAccessManager> m_ownedNetwork;
    RouteSet *m_routeSet;
    std::vector<std::unique_ptr<Route>> m_routes;
    int m_selected = -1;
    QString m_selectedStartText;
    int m_colorIndex = 0;
    QString m_status;
    QUrl m_atlasUrl;
    QUrl m_globalpingUrl;
    RemoteTimings m_timings;
    struct PendingAtlas;
    std::unique_ptr<PendingAtlas> m_pending; // priced, waiting for the user's answer
    int m_requestSerial = 0;                 // a newer request outdates a key still loading
    QTimer m_rebuild;
    bool m_wasSettled = true;
    std::function<QHostAddress(const QUrl &)> m_agentAddressLookup;
};

} // namespace tracemap

// The map half of the window: Tracemap.Map's MapView bound to the hop model, a tooltip
// for the hovered marker, and small zoom / fit controls. Tiles are fetched only when the
// app is not offline; otherwise the compiled-in basemap is drawn.
import QtQuick
import QtQuick.Controls
import Tracemap.App
import Tracemap.Map

Item {
    id: root
    required property TraceController controller
    required property AppSettings settings
    // Whose hops are the main route: the trace's controller, or the watch's (both have model,
    // hasSource, sourceLatitude, sourceLongitude).
    property QtObject hopSource: controller
    property alias currentIndex: mapView.currentIndex
    // The user's choice in View → Map tiles; offline always wins.
    property bool tilesEnabled: true
    readonly property alias attribution: mapView.attribution
    readonly property alias tilesSettled: mapView.tilesSettled
    readonly property alias tileProblem: mapView.tileProblem
    readonly property alias following: mapView.followRoute
    property alias labelsVisible: mapView.labelsVisible
    // Further routes under the trace's own (other vantage points, a comparison, the path before
    // a change): RouteSets from the controllers that own them.
    property alias routeSets: mapView.routeSets
    readonly property alias view: mapView
    signal hopClicked(int row)

    function fitRoute() { mapView.fitRoute() }
    // Frames the route as it arrives (and on resize) until the user pans or zooms.
    function followRoute() { mapView.followRoute = true }
    function setView(latitude, longitude, zoom) {
        mapView.zoom = zoom
        mapView.centerLatitude = latitude
        mapView.centerLongitude = longitude
    }
    // Moves the view by a number of pixels, as a drag would.
    function panBy(dx, dy) {
        const c = mapView.pixelToCoordinate(Qt.point(mapView.width / 2 + dx, mapView.height / 2 + dy))
        mapView.centerLatitude = c.x
        mapView.centerLongitude = c.y
    }
    function exportImage(path, width, height) { return mapView.exportImage(path, width, height) }

    MapView {
        id: mapView
        objectName: "mapView"
        anchors.fill: parent
        model: root.hopSource.model
        tileUrlTemplate: root.settings.tileUrl
        networkEnabled: !root.settings.offline
        tilesEnabled: root.tilesEnabled && !root.settings.offline
        hasSource: root.hopSource.hasSource
        sourceLatitude: root.hopSource.hasSource ? root.hopSource.sourceLatitude : 0
        sourceLongitude: root.hopSource.hasSource ? root.hopSource.sourceLongitude : 0
        extraAttributions: root.controller.attributions
        followRoute: true
        onHopClicked: (row) => root.hopClicked(row)
        HoverHandler { id: mapHover }
    }

    // The attribution is one line on screen; hovering it shows all of it.
    ToolTip {
        id: attributionTip
        objectName: "attributionTip"
        parent: mapView
        readonly property rect area: {
            mapView.width; mapView.height; mapView.attribution; mapView.extraAttributions // depends on these
            return mapView.attributionArea()
        }
        visible: mapHover.hovered && mapHover.point.position.x >= area.x && mapHover.point.position.y >= area.y
                 && mapView.hoveredIndex < 0
        x: Math.max(4, mapView.width - width - 4)
        y: area.y - height - 4
        delay: 300
        text: { mapView.attribution; mapView.extraAttributions; return mapView.attributionText() }
    }

    // Details of the marker under the mouse.
    ToolTip {
        id: hoverTip
        parent: mapView
        readonly property var hop: mapView.hoveredIndex >= 0 ? root.hopSource.model.get(mapView.hoveredIndex) : null
        visible: hop !== null && hop !== undefined && hop.ttl !== undefined
        // Right of the marker, or left of it where it would cover the zoom buttons or leave the map.
        readonly property bool leftSide: mapView.hoveredPosition.x + 14 + width > Math.min(mapView.width - 4, zoomButtons.x - 6)
                                         && mapView.hoveredPosition.y < zoomButtons.y + zoomButtons.height + 8 + height
                                         || mapView.hoveredPosition.x + 14 + width > mapView.width - 4
        x: leftSide ? Math.max(4, mapView.hoveredPosition.x - 14 - width) : mapView.hoveredPosition.x + 14
        y: Math.min(mapView.hoveredPosition.y + 14, mapView.height - height - 4)
        delay: 0
        text: {
            if (!visible)
                return ""
            const h = hop
            const rtt = h.avgRttMs >= 0 ? h.avgRttMs.toFixed(h.avgRttMs < 10 ? 2 : 1) + " ms" : "no RTT"
            let lines = ["<b>" + h.ttl + "  " + (h.address || "*") + "</b>"]
            if (h.hostname)
                lines.push(h.hostname)
            if (h.placeName)
                lines.push(h.placeName + (h.accuracyKm > 0 ? " (±" + Math.round(h.accuracyKm) + " km)" : ""))
            if (h.asn > 0)
                lines.push("AS" + h.asn + (h.asName ? " " + h.asName : ""))
            lines.push(rtt + " avg · " + h.lossPercent.toFixed(0) + "% loss")
            if (h.provider)
                lines.push("<i>" + h.provider + ": " + h.reason + "</i>")
            return lines.join("<br>")
        }
    }

    Column {
        id: zoomButtons
        anchors { right: parent.right; top: parent.top; margins: 10 }
        spacing: 4
        RoundButton {
            text: "+"
            width: 34; height: 34
            onClicked: { mapView.followRoute = false; mapView.zoom = Math.min(19, mapView.zoom + 1) }
            ToolTip.visible: hovered; ToolTip.text: qsTr("Zoom in")
        }
        RoundButton {
            text: "−"
            width: 34; height: 34
            onClicked: { mapView.followRoute = false; mapView.zoom = Math.max(1, mapView.zoom - 1) }
            ToolTip.visible: hovered; ToolTip.text: qsTr("Zoom out")
        }
        RoundButton {
            text: "⤢"
            width: 34; height: 34
            enabled: root.hopSource.model.placedCount > 0 || root.hopSource.hasSource
            onClicked: mapView.fitRoute()
            ToolTip.visible: hovered; ToolTip.text: qsTr("Fit route (Ctrl+F)")
        }
    }
}

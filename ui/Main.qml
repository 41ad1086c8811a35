// The tracemap window: the menu bar (MainMenuBar.qml), host field and trace controls on top
// (MainToolBar.qml, fixed geometry: nothing in the toolbar depends on the trace's state), the map
// with the hop table (or the watch's table) below it, in watch mode the chart and path changes
// in a column beside them (WatchPane.qml), the History panel beside them
// (View → History), and one status area at the bottom (StatusBar.qml) where every action reports
// its outcome (errors in the error colour until the next action, successes for a few seconds)
// beside the summary of the trace or the watch shown. The window owns the actions (startTrace(),
// openExportDialog(), …) that the menu, the toolbar and the shortcuts call. The controllers and
// settings are created by the application and handed in as properties; so is the first-run offer
// of the offline IP database (geoDbSetup, shown as a bar above the map; null: no offer).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tracemap.App

ApplicationWindow {
    id: window

    required property TraceController controller
    required property WatchController watch
    // Watch mode: the watch's table, chart pane and route replace the trace's.
    property bool watchMode: false
    required property AppSettings settings
    property GeoDbSetup geoDbSetup: null
    // Routes from other vantage points (RIPE Atlas, Globalping); null: none offered.
    property VantageController vantage: null
    property int vantageRoutesSeen: 0 // vantage.count when its routes last changed
    // Open, save and export of trace files (null: those menu items do nothing).
    property DocumentController documents: null
    // The kept traces (View → History; null: no panel).
    property HistoryModel history: null
    // Scripted runs (--export-image) show the window but never open dialogs.
    property bool scripted: false
    readonly property alias map: mapPane
    readonly property alias table: hopTable
    // View → History (Ctrl+H): the History panel beside the map.
    property alias historyShown: historyLoader.shown
    // The status area's message: the latest outcome; empty = describe the trace.
    property string statusMessage: ""
    property bool statusIsError: false
    readonly property color errorColor: "#c62828"

    width: 1280
    height: 820
    minimumWidth: 760
    minimumHeight: 520
    visible: true
    title: controller.host.length > 0 ? qsTr("%1 — tracemap").arg(controller.host) : qsTr("tracemap")

    // Every action ends here: the newest outcome replaces whatever was shown before.
    function report(message, isError) {
        statusMessage = message
        statusIsError = isError
        if (isError)
            statusExpiry.stop()
        else
            statusExpiry.restart()
    }
    function startTrace() {
        controller.host = toolBar.hostText.trim()
        if (watch.active)
            watch.stop()
        window.watchMode = false
        if (controller.start()) {
            if (vantage)
                vantage.selectedIndex = -1 // the table lists the trace just started
            window.statusMessage = ""
            window.statusIsError = false
            mapPane.followRoute()
        } else {
            window.report(controller.errorMessage, true) // also when it repeats the last one
        }
    }
    function stopTrace() {
        if (watch.active)
            watch.stop()
        else
            controller.stop()
    }
    function startWatch() {
        const host = toolBar.hostText.trim()
        controller.host = host
        if (controller.running)
            controller.stop()
        if (watch.start(host, controller.method, controller.family)) {
            window.watchMode = true
            window.statusMessage = ""
            window.statusIsError = false
            mapPane.followRoute()
        } else {
            window.report(watch.errorMessage, true)
        }
    }
    function togglePause() {
        if (watch.state === WatchController.Running)
            watch.pause()
        else if (watch.state === WatchController.Paused)
            watch.resume()
    }
    function copyTable() {
        exporter.copyText(watchMode ? watch.model.toText() : controller.model.toText())
        report(qsTr("Hop table copied to the clipboard."), false)
    }
    function copyImage() {
        if (!exporter.copyItemImage(mapPane))
            report(qsTr("Could not copy the map image."), true)
    }
    // Writes the map (with legend and attribution) to a PNG; 0×0 = the map's size on screen.
    // Returns an empty string on success, else the reason.
    function exportImage(path, width, height) {
        const error = mapPane.exportImage(path, width, height)
        if (error.length === 0)
            report(qsTr("Saved %1.").arg(path), false)
        else
            report(error, true)
        return error
    }
    function focusHostField() {
        toolBar.focusHost()
    }

    Timer {
        id: statusExpiry
        interval: 6000
        onTriggered: { window.statusMessage = ""; window.statusIsError = false }
    }
    Component.onCompleted: window.focusHostField()
    function showAbout() {
        aboutDialog.open()
    }
    function openSettings() {
        if (!scripted)
            settingsLoader.show()
    }
    // Shows every vantage route; not while this machine's route is shown. The map frames them
    // itself: now, or once it has its size, and again on resizes until the user moves it.
    function frameVantage() {
        if (vantage && controller.model.count === 0)
            mapPane.fitRoute()
    }
    function openVantage(browse) {
        if (!scripted && vantage)
            vantageLoader.show(browse)
    }
    function openExportDialog() {
        if (!scripted)
            exportLoader.show(controller.host, mapPane.width, mapPane.height)
    }
    // isOpen: File → Open; else save (TraceFileFormat) or export in the DocumentController format.
    function openTraceFileDialog(isOpen, format) {
        if (!scripted && documents !== null)
            traceFileLoader.show(isOpen, format)
    }

    // File → Compare with file…: the chosen trace file (the earlier one) against the trace shown.
    function openCompareDialog() {
        if (!scripted && documents !== null)
            traceFileLoader.showCompare()
    }

    Shortcut {
        sequence: "Ctrl+T"
        onActivated: window.startTrace()
    }
    Shortcut {
        sequence: "Ctrl+W"
        onActivated: window.startWatch()
    }
    Shortcut {
        sequence: "Ctrl+P"
        enabled: window.watch.active
        onActivated: window.togglePause()
    }
    Shortcut {
        sequence: "Ctrl+R"
        enabled: window.watch.state !== WatchController.Idle
        onActivated: window.watch.reset()
    }
    Shortcut {
        sequence: "Esc"
        enabled: window.controller.running || window.watch.active
        onActivated: window.stopTrace()
    }
    Shortcut {
        sequence: "Ctrl+S"
        onActivated: window.openExportDialog()
    }
    Shortcut {
        sequence: "Ctrl+O"
        onActivated: window.openTraceFileDialog(true, DocumentController.TraceFileFormat)
    }
    Shortcut {
        sequence: "Ctrl+Shift+S"
        onActivated: window.openTraceFileDialog(false, DocumentController.TraceFileFormat)
    }
    Shortcut {
        sequence: "Ctrl+H"
        onActivated: window.historyShown = !window.historyShown
    }
    Shortcut {
        sequence: "Ctrl+C"
        onActivated: window.copyTable()
    }
    Shortcut {
        sequence: "Ctrl+Shift+C"
        onActivated: window.copyImage()
    }
    Shortcut {
        sequence: "Ctrl+L"
        onActivated: window.focusHostField()
    }
    Shortcut {
        sequence: "Ctrl+F"
        onActivated: mapPane.fitRoute()
    }
    Shortcut {
        sequence: "Ctrl+Q"
        onActivated: Qt.quit()
    }

    ImageExporter {
        id: exporter
        onImageCopied: (ok) => ok ? window.report(qsTr("Map image copied to the clipboard."), false)
                                  : window.report(qsTr("Could not copy the map image."), true)
    }

    menuBar: MainMenuBar {
        mainWindow: window
    }

    header: MainToolBar {
        id: toolBar
        mainWindow: window
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        // Below the toolbar, in the content: showing or hiding it moves only the map's top edge.
        Loader {
            active: window.geoDbSetup !== null
            visible: active && window.geoDbSetup.offerVisible
            Layout.fillWidth: true
            sourceComponent: GeoDbBanner {
                setup: window.geoDbSetup
                errorColor: window.errorColor
            }
        }

        // The History panel is a side pane: opening it takes width, never the map's height, so a
        // comparison's two routes stay apart on the map and the panel's buttons always show.
        SplitView {
            id: sideSplit
            objectName: "sideSplit"
            Layout.fillWidth: true
            Layout.fillHeight: true
            orientation: Qt.Horizontal
            onResizingChanged: {
                if (!resizing && window.watchMode)
                    window.settings.watchPaneWidth = Math.round(watchPane.width)
            }

            SplitView {
                id: mainSplit
                orientation: Qt.Vertical
                onResizingChanged: {
                    if (!resizing && window.watchMode)
                        window.settings.watchTableHeight = Math.round(watchTable.height)
                }
                SplitView.fillWidth: true
                SplitView.minimumWidth: 360

                MapPane {
                    id: mapPane
                    objectName: "mapPane"
                    controller: window.controller
                    settings: window.settings
                    hopSource: window.watchMode ? window.watch : window.controller
                    // The watch's earlier path, or the comparison's other trace and the other
                    // vantage points' routes.
                    routeSets: window.watchMode ? [window.watch.routes]
                               : (window.documents !== null ? [window.documents.routes] : [])
                                 .concat(window.vantage ? [window.vantage.routes] : [])
                    SplitView.fillHeight: true
                    SplitView.minimumHeight: 160
                    onHopClicked: (row) => hopTable.currentIndex = row
                }
                HopTable {
                    id: hopTable
                    objectName: "hopTable"
                    model: window.vantage && window.vantage.selectedModel ? window.vantage.selectedModel : window.controller.model
                    // Shrinks before the map does in a small window (until the divider is dragged).
                    SplitView.preferredHeight: Math.min(330, Math.round(mainSplit.height * 0.45))
                    SplitView.minimumHeight: 110
                    visible: !window.watchMode
                    onCurrentIndexChanged: mapPane.currentIndex = currentIndex
                }
                WatchTable {
                    id: watchTable
                    objectName: "watchTable"
                    watch: window.watch
                    settings: window.settings
                    visible: window.watchMode
                    seriesColor: (ttl) => watchPane.chart.colorOf(ttl)
                    // Shrinks before the map does in a small window, as the hop table does.
                    SplitView.preferredHeight: window.settings.watchTableHeight > 0
                                               ? window.settings.watchTableHeight
                                               : Math.min(260, Math.round(mainSplit.height * 0.4))
                    SplitView.minimumHeight: 110
                    onCurrentIndexChanged: mapPane.currentIndex = currentIndex
                }
            }
            // Watch mode: the chart and the path changes in a column beside the map and the
            // watch table, so the map keeps its height. Its width and the table's height are
            // kept in the settings once dragged.
            WatchPane {
                id: watchPane
                objectName: "watchPane"
                watch: window.watch
                ttls: watchTable.chartTtls
                visible: window.watchMode
                // With the History panel open it shares the room the panel leaves, so the map
                // and the watch table keep at least half of it.
                readonly property real room: sideSplit.width - (historyLoader.visible ? historyLoader.SplitView.preferredWidth : 0)
                SplitView.preferredWidth: window.settings.watchPaneWidth > 0
                                          ? Math.min(window.settings.watchPaneWidth, Math.round(room * 0.5))
                                          : Math.round(room * 0.36)
                SplitView.minimumWidth: 280
            }
            Loader {
                id: historyLoader
                objectName: "historyLoader"
                property bool shown: false
                active: shown && window.history !== null && window.documents !== null
                visible: active
                // 400 px where the window has room; less beside the watch's column in a small
                // window, so that the three panes fit it.
                SplitView.preferredWidth: Math.max(300, Math.min(400, sideSplit.width - mainSplit.SplitView.minimumWidth
                                                                 - (watchPane.visible ? watchPane.SplitView.minimumWidth : 0) - 12))
                SplitView.minimumWidth: 300
                sourceComponent: HistoryPane {
                    history: window.history
                    documents: window.documents
                    settings: window.settings
                }
            }
        }
    }

    Connections {
        target: mapPane
        function onCurrentIndexChanged() {
            if (window.watchMode)
                watchTable.currentIndex = mapPane.currentIndex
            else
                hopTable.currentIndex = mapPane.currentIndex
        }
    }
    Connections {
        target: window.watch
        function onFinished(outcome) { window.report(outcome, window.watch.errorMessage.length > 0) }
        function onErrorMessageChanged() {
            if (window.watch.errorMessage.length > 0)
                window.report(window.watch.errorMessage, true)
        }
    }
    Connections {
        target: window.documents
        function onReported(message, isError) { window.report(message, isError) }
        function onOpened() {
            toolBar.hostText = window.controller.host // Trace traces the opened target again
            hopTable.currentIndex = -1
            mapPane.fitRoute()
        }
        // A comparison lists its changes in the History panel.
        function onComparisonChanged() {
            if (window.documents.comparison.length > 0) {
                window.historyShown = true
                sideSplit.ensurePolished() // the map's width beside the panel, before fitting
                mapPane.fitRoute() // both routes in view
            }
        }
    }
    Connections {
        target: window.history
        function onReported(message, isError) { window.report(message, isError) }
    }
    // A trace file dropped on the window opens like File → Open.
    DropArea {
        anchors.fill: parent
        keys: ["text/uri-list"]
        onDropped: (drop) => {
            if (drop.hasUrls && window.documents !== null)
                window.documents.open(drop.urls[0].toString())
        }
    }
    Connections {
        target: window.controller
        function onFinished(reached) {
            if (window.controller.model.placedCount > 0 && mapPane.following)
                mapPane.fitRoute()
        }
        function onErrorMessageChanged() {
            if (window.controller.errorMessage.length > 0)
                window.report(window.controller.errorMessage, true)
        }
        function onRunningChanged() {
            if (window.controller.running)
                hopTable.currentIndex = -1
        }
    }

    footer: StatusBar {
        objectName: "statusBar"
        controller: window.controller
        watch: window.watch
        watchMode: window.watchMode
        message: window.statusMessage
        messageIsError: window.statusIsError
        tileProblem: mapPane.tileProblem
        errorColor: window.errorColor
        routeStartText: window.vantage ? window.vantage.selectedStartText : ""
    }

    // The dialogs load on first use: QtQuick.Dialogs and their controls cost start-up time.
    Loader {
        id: settingsLoader
        active: false
        function show() {
            if (!active)
                setSource("SettingsDialog.qml", { settings: window.settings })
            active = true
            item.open()
        }
    }
    Loader {
        id: traceFileLoader
        active: false
        function show(isOpen, format) {
            if (!active)
                setSource("TraceFileDialog.qml", { documents: window.documents })
            active = true
            item.openFor(isOpen, format)
        }
        function showCompare() {
            if (!active)
                setSource("TraceFileDialog.qml", { documents: window.documents })
            active = true
            item.openForCompare()
        }
    }
    Loader {
        id: exportLoader
        active: false
        function show(host, width, height) {
            if (!active)
                setSource("ExportDialog.qml", { exporter: exporter })
            active = true
            item.openFor(host, width, height)
        }
        Connections {
            target: exportLoader.item
            // The dialog stays open with the reason when the image cannot be written.
            function onExportRequested(path, width, height) {
                const error = window.exportImage(path, width, height)
                if (error.length === 0)
                    exportLoader.item.close()
                else
                    exportLoader.item.showError(error)
            }
        }
    }
    Loader {
        id: vantageLoader
        active: false
        function show(browse) {
            if (!active)
                setSource("VantageDialog.qml", { vantage: window.vantage })
            active = true
            if (browse)
                item.browse()
            else
                item.open()
        }
        Connections {
            target: vantageLoader.item
            function onRoutesAdded() { window.frameVantage() }
        }
    }
    Connections {
        target: window.vantage
        function onStatusMessageChanged() {
            if (window.vantage.statusMessage.length > 0)
                window.report(window.vantage.statusMessage, false)
        }
        function onSettled() { Qt.callLater(window.frameVantage) }
        // Routes opened while this machine has no hops: the table lists the first new one instead
        // of "No hops yet"; the route selector still offers this machine.
        function onRoutesChanged() {
            const count = window.vantage.count
            if (count > window.vantageRoutesSeen && window.vantage.selectedIndex < 0 &&
                    window.controller.model.count === 0 && !window.controller.running)
                window.vantage.selectedIndex = window.vantageRoutesSeen
            window.vantageRoutesSeen = count
        }
    }
    Dialog {
        id: aboutDialog
        objectName: "aboutDialog"
        title: qsTr("About tracemap")
        standardButtons: Dialog.Ok
        anchors.centerIn: Overlay.overlay
        modal: true
        dim: true
        padding: 20
        Label {
            text: qsTr("tracemap %1 — a visual traceroute.\n\nMap data © OpenStreetMap contributors (ODbL).\nBasemap: Natural Earth (public domain), place names: GeoNames (CC BY 4.0).\n%2").arg(Qt.application.version).arg(window.controller.attributions.join("\n"))
        }
    }
}

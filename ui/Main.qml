// The tracemap window: host field and trace controls on top (fixed geometry: nothing in the
// toolbar depends on the trace's state), the map, the hop table below it, and one status area
// at the bottom where every action reports its outcome (errors in the error colour until the next
// action, successes for a few seconds) beside the trace's progress. The controller and settings
// are created by the application and handed in as required properties; so is the first-run offer
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
    // Open, save and export of trace files (null: those menu items do nothing).
    property DocumentController documents: null
    // The kept traces (View → History; null: no panel).
    property HistoryModel history: null
    // Scripted runs (--export-image) show the window but never open dialogs.
    property bool scripted: false
    readonly property alias map: mapPane
    readonly property alias table: hopTable
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
        controller.host = hostField.editText.trim()
        if (watch.active)
            watch.stop()
        window.watchMode = false
        if (controller.start()) {
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
        const host = hostField.editText.trim()
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
        hostField.contentItem.forceActiveFocus()
        hostField.contentItem.selectAll()
    }

    Timer {
        id: statusExpiry
        interval: 6000
        onTriggered: { window.statusMessage = ""; window.statusIsError = false }
    }
    Component.onCompleted: window.focusHostField()
    function openSettings() {
        if (!scripted)
            settingsLoader.show()
    }
    // Shows every vantage route (once the map has a size); not while this machine's route is shown.
    property bool vantageFramePending: false
    function frameVantage() {
        vantageFramePending = mapPane.width <= 0 || mapPane.height <= 0
        if (vantageFramePending || !vantage || controller.model.count > 0)
            return
        const f = vantage.frame(mapPane.width, mapPane.height)
        if (f.zoom !== undefined)
            mapPane.setView(f.centerLatitude, f.centerLongitude, f.zoom)
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
        onActivated: historyLoader.shown = !historyLoader.shown
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

    // A menu item with its shortcut right-aligned (a tab in the text is not laid out by Controls).
    component ShortcutMenuItem: MenuItem {
        id: menuItem
        property string shortcut: ""
        implicitWidth: Math.max(implicitBackgroundWidth + leftInset + rightInset,
                                implicitContentWidth + leftPadding + rightPadding)
        contentItem: RowLayout {
            spacing: 24
            opacity: menuItem.enabled ? 1 : 0.5
            Label {
                text: menuItem.text
                leftPadding: menuItem.checkable && menuItem.indicator ? menuItem.indicator.width + menuItem.spacing : 0
                Layout.fillWidth: true
            }
            Label { text: menuItem.shortcut; opacity: 0.7; visible: text.length > 0 }
        }
    }

    menuBar: MenuBar {
        Menu {
            title: qsTr("&File")
            ShortcutMenuItem { text: qsTr("Trace"); shortcut: "Ctrl+T"; onTriggered: window.startTrace() }
            ShortcutMenuItem { text: qsTr("Watch"); shortcut: "Ctrl+W"; onTriggered: window.startWatch() }
            ShortcutMenuItem { text: window.watch.state === WatchController.Paused ? qsTr("Resume watch") : qsTr("Pause watch"); shortcut: "Ctrl+P"; enabled: window.watch.active; onTriggered: window.togglePause() }
            ShortcutMenuItem { text: qsTr("Reset watch statistics"); shortcut: "Ctrl+R"; enabled: window.watch.state !== WatchController.Idle; onTriggered: window.watch.reset() }
            ShortcutMenuItem { text: qsTr("Stop"); shortcut: "Esc"; enabled: window.controller.running || window.watch.active; onTriggered: window.stopTrace() }
            MenuSeparator {}
            ShortcutMenuItem { text: qsTr("Open…"); shortcut: "Ctrl+O"; onTriggered: window.openTraceFileDialog(true, DocumentController.TraceFileFormat) }
            ShortcutMenuItem { text: qsTr("Save as…"); shortcut: "Ctrl+Shift+S"; onTriggered: window.openTraceFileDialog(false, DocumentController.TraceFileFormat) }
            ShortcutMenuItem { objectName: "compareMenuItem"; text: qsTr("Compare with file…"); enabled: !window.controller.running; onTriggered: window.openCompareDialog() }
            Menu {
                title: qsTr("Export")
                ShortcutMenuItem { text: qsTr("PDF report…"); onTriggered: window.openTraceFileDialog(false, DocumentController.PdfReport) }
                ShortcutMenuItem { text: qsTr("SVG image…"); onTriggered: window.openTraceFileDialog(false, DocumentController.Svg) }
                ShortcutMenuItem { text: qsTr("GeoJSON…"); onTriggered: window.openTraceFileDialog(false, DocumentController.GeoJson) }
                ShortcutMenuItem { text: qsTr("KML (Google Earth)…"); onTriggered: window.openTraceFileDialog(false, DocumentController.Kml) }
                ShortcutMenuItem { text: qsTr("CSV table…"); onTriggered: window.openTraceFileDialog(false, DocumentController.Csv) }
            }
            ShortcutMenuItem { text: qsTr("Export image…"); shortcut: "Ctrl+S"; onTriggered: window.openExportDialog() }
            ShortcutMenuItem { text: qsTr("Copy image"); shortcut: "Ctrl+Shift+C"; onTriggered: window.copyImage() }
            ShortcutMenuItem { text: qsTr("Copy hop table"); shortcut: "Ctrl+C"; onTriggered: window.copyTable() }
            MenuSeparator {}
            ShortcutMenuItem { text: qsTr("Open vantage results…"); enabled: window.vantage !== null; onTriggered: window.openVantage(true) }
            ShortcutMenuItem { text: qsTr("Vantage points…"); enabled: window.vantage !== null; onTriggered: window.openVantage(false) }
            MenuSeparator {}
            ShortcutMenuItem { text: qsTr("Settings…"); onTriggered: window.openSettings() }
            MenuSeparator {}
            ShortcutMenuItem { text: qsTr("Quit"); shortcut: "Ctrl+Q"; onTriggered: Qt.quit() }
        }
        Menu {
            title: qsTr("&View")
            ShortcutMenuItem { text: qsTr("Fit route"); shortcut: "Ctrl+F"; onTriggered: mapPane.fitRoute() }
            ShortcutMenuItem {
                objectName: "historyMenuItem"
                text: qsTr("History")
                shortcut: "Ctrl+H"
                checkable: true
                enabled: window.history !== null
                checked: historyLoader.shown
                onToggled: historyLoader.shown = checked
            }
            ShortcutMenuItem {
                objectName: "labelsMenuItem"
                text: qsTr("Labels beside markers")
                checkable: true
                checked: mapPane.labelsVisible
                onToggled: mapPane.labelsVisible = checked
            }
            ShortcutMenuItem {
                objectName: "tilesMenuItem"
                // Offline: unchecked and disabled, and it says why.
                text: window.settings.offline ? qsTr("Map tiles (off while offline)") : qsTr("Map tiles (OpenStreetMap)")
                checkable: true
                checked: mapPane.tilesEnabled && !window.settings.offline
                enabled: !window.settings.offline
                onToggled: mapPane.tilesEnabled = checked
            }
        }
        Menu {
            title: qsTr("&Help")
            ShortcutMenuItem { text: qsTr("About tracemap"); onTriggered: aboutDialog.open() }
        }
    }

    header: ToolBar {
        padding: 6
        RowLayout {
            anchors.fill: parent
            spacing: 8

            Label { text: qsTr("Host"); Layout.leftMargin: 4 }
            ComboBox {
                id: hostField
                objectName: "hostField"
                editable: true
                focus: true
                model: window.controller.recentHosts
                Layout.fillWidth: true
                Layout.minimumWidth: 220
                Component.onCompleted: editText = window.controller.host
                onAccepted: window.startTrace()
                ToolTip.visible: hovered && editText.length === 0
                ToolTip.text: qsTr("A host name or address; Enter starts the trace")
            }
            ComboBox {
                id: methodBox
                objectName: "methodBox"
                model: [ { text: "UDP", value: TraceController.Udp }, { text: "ICMP", value: TraceController.Icmp },
                         { text: "TCP", value: TraceController.Tcp }, { text: qsTr("Auto"), value: TraceController.Auto } ]
                textRole: "text"
                valueRole: "value"
                Component.onCompleted: currentIndex = indexOfValue(window.controller.method)
                onActivated: window.controller.method = currentValue
                Layout.preferredWidth: 96
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Probe method (Auto: ICMP when permitted, else UDP)")
            }
            ComboBox {
                id: familyBox
                objectName: "familyBox"
                model: [ { text: "IPv4/IPv6", value: TraceController.AnyFamily }, { text: "IPv4", value: TraceController.IPv4 },
                         { text: "IPv6", value: TraceController.IPv6 } ]
                textRole: "text"
                valueRole: "value"
                Component.onCompleted: currentIndex = indexOfValue(window.controller.family)
                onActivated: window.controller.family = currentValue
                Layout.preferredWidth: 116
            }
            Button {
                objectName: "traceButton"
                text: qsTr("Trace")
                highlighted: !window.watchMode
                Layout.preferredWidth: 84
                enabled: hostField.editText.trim().length > 0
                onClicked: window.startTrace()
            }
            Button {
                objectName: "watchButton"
                text: qsTr("Watch")
                highlighted: window.watchMode
                Layout.preferredWidth: 84
                enabled: hostField.editText.trim().length > 0
                onClicked: window.startWatch()
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Trace again every second with per-hop statistics (Ctrl+W)")
            }
            Button {
                objectName: "stopButton"
                text: qsTr("Stop")
                Layout.preferredWidth: 84
                enabled: window.controller.running || window.watch.active
                onClicked: window.stopTrace()
            }
            // Which route the hop table lists: this machine's, or one vantage point's.
            ComboBox {
                objectName: "routeSelector"
                visible: window.vantage !== null && window.vantage.count > 0
                model: window.vantage ? [qsTr("This machine")].concat(window.vantage.routeList.map(r => r.name)) : []
                currentIndex: window.vantage ? window.vantage.selectedIndex + 1 : 0
                onActivated: (index) => { hopTable.currentIndex = -1; window.vantage.selectedIndex = index - 1 }
                Layout.preferredWidth: 220
            }
            // Pause/resume the watch: one fixed-width button that says what a click does.
            Button {
                objectName: "pauseButton"
                text: window.watch.state === WatchController.Paused ? qsTr("Resume") : qsTr("Pause")
                Layout.preferredWidth: 76
                enabled: window.watch.active
                onClicked: window.togglePause()
                ToolTip.visible: hovered
                ToolTip.text: window.watch.state === WatchController.Paused ? qsTr("Resume the watch (Ctrl+P)") : qsTr("Pause the watch (Ctrl+P)")
            }
            // Always laid out, shown only while tracing: the controls never shift. Not during a
            // watch: its endless animation redraws the window at the frame rate (about 8 % of a
            // core, bench/watch_cpu.py); the status line counts the rounds instead.
            BusyIndicator {
                objectName: "busyIndicator"
                running: window.controller.running
                opacity: running ? 1 : 0
                Layout.preferredWidth: 28
                Layout.preferredHeight: 28
                Layout.rightMargin: 4
            }
        }
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

        SplitView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            orientation: Qt.Vertical

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
                onWidthChanged: if (window.vantageFramePending) window.frameVantage()
                onHeightChanged: if (window.vantageFramePending) window.frameVantage()
            }
            HopTable {
                id: hopTable
                objectName: "hopTable"
                model: window.vantage && window.vantage.selectedModel ? window.vantage.selectedModel : window.controller.model
                SplitView.preferredHeight: 330
                SplitView.minimumHeight: 110
                visible: !window.watchMode
                onCurrentIndexChanged: mapPane.currentIndex = currentIndex
            }
            Loader {
                id: historyLoader
                objectName: "historyLoader"
                property bool shown: false
                active: shown && window.history !== null && window.documents !== null
                visible: active
                SplitView.preferredHeight: 260
                SplitView.minimumHeight: 120
                sourceComponent: HistoryPane {
                    history: window.history
                    documents: window.documents
                    settings: window.settings
                }
            }
            WatchTable {
                id: watchTable
                objectName: "watchTable"
                watch: window.watch
                settings: window.settings
                visible: window.watchMode
                seriesColor: (ttl) => watchPane.chart.colorOf(ttl)
                SplitView.preferredHeight: 250
                SplitView.minimumHeight: 110
                onCurrentIndexChanged: mapPane.currentIndex = currentIndex
            }
            WatchPane {
                id: watchPane
                objectName: "watchPane"
                watch: window.watch
                ttls: watchTable.chartTtls
                visible: window.watchMode
                SplitView.preferredHeight: 230
                SplitView.minimumHeight: 120
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
            hostField.editText = window.controller.host // Trace traces the opened target again
            hopTable.currentIndex = -1
            mapPane.fitRoute()
        }
        // A comparison lists its changes in the History panel.
        function onComparisonChanged() {
            if (window.documents.comparison.length > 0) {
                historyLoader.shown = true
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

    footer: ToolBar {
        padding: 4
        RowLayout {
            anchors.fill: parent
            spacing: 12
            Label {
                objectName: "statusLabel"
                readonly property bool isError: window.statusMessage.length > 0 && window.statusIsError
                Layout.fillWidth: true
                Layout.leftMargin: 6
                elide: Text.ElideRight
                color: isError ? window.errorColor : palette.windowText
                text: window.statusMessage.length > 0 ? window.statusMessage
                    : mapPane.tileProblem.length > 0 ? mapPane.tileProblem
                    : window.watchMode && window.watch.state !== WatchController.Idle
                      ? qsTr("%1 %2 → %3: %n round(s)", "", window.watch.rounds).arg(window.watch.state === WatchController.Paused ? qsTr("Paused:") : window.watch.state === WatchController.Running ? qsTr("Watching") : qsTr("Watched"))
                            .arg(window.watch.target).arg(window.watch.destination || "…")
                    : window.controller.transport.length > 0 ? qsTr("%1 → %2 via %3").arg(window.controller.host).arg(window.controller.destination).arg(window.controller.transport.replace(" (Paris)", ""))
                    : qsTr("Type a host and press Enter to trace.")
            }
            Label {
                // Where the trace starts and how that was decided: the RTT check's reference.
                objectName: "sourceLabel"
                text: window.controller.sourceText
                opacity: 0.8
                elide: Text.ElideRight
                Layout.maximumWidth: 330
            }
            ProgressLine {
                controller: window.controller
                Layout.preferredWidth: 330
                Layout.rightMargin: 6
            }
        }
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

// The tracemap window: host field and trace controls on top, the map, the hop table
// below it, status at the bottom (the map draws its attributions). The controller and settings are
// created by the application and handed in as required properties.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tracemap.App

ApplicationWindow {
    id: window

    required property TraceController controller
    required property AppSettings settings
    // Scripted runs (--export-image) show the window but never open dialogs.
    property bool scripted: false
    readonly property alias map: mapPane
    readonly property alias table: hopTable
    property string statusMessage: ""

    width: 1280
    height: 820
    minimumWidth: 760
    minimumHeight: 520
    visible: true
    title: controller.host.length > 0 ? qsTr("%1 — tracemap").arg(controller.host) : qsTr("tracemap")

    function startTrace() {
        controller.host = hostField.editText.trim()
        if (controller.start())
            window.statusMessage = ""
    }
    function stopTrace() { controller.stop() }
    function copyTable() {
        exporter.copyText(controller.model.toText())
        window.statusMessage = qsTr("Hop table copied to the clipboard.")
    }
    function copyImage() {
        if (!exporter.copyItemImage(mapPane))
            window.statusMessage = qsTr("Could not copy the map image.")
    }
    // Writes the map (with legend and attribution) to a PNG; 0×0 = the map's size on screen.
    // Returns an empty string on success, else the reason.
    function exportImage(path, width, height) {
        const error = mapPane.exportImage(path, width, height)
        window.statusMessage = error.length === 0 ? qsTr("Saved %1").arg(path) : error
        return error
    }
    function openSettings() {
        if (!scripted)
            settingsLoader.show()
    }
    function openExportDialog() {
        if (!scripted)
            exportLoader.show(controller.host, mapPane.width, mapPane.height)
    }

    Shortcut {
        sequence: "Ctrl+T"
        onActivated: window.startTrace()
    }
    Shortcut {
        sequence: "Esc"
        enabled: window.controller.running
        onActivated: window.stopTrace()
    }
    Shortcut {
        sequence: "Ctrl+S"
        onActivated: window.openExportDialog()
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
        onActivated: { hostField.forceActiveFocus(); hostField.contentItem.selectAll() }
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
        onImageCopied: (ok) => window.statusMessage = ok ? qsTr("Map image copied to the clipboard.")
                                                          : qsTr("Could not copy the map image.")
    }

    menuBar: MenuBar {
        Menu {
            title: qsTr("&File")
            MenuItem { text: qsTr("Trace") + "\tCtrl+T"; onTriggered: window.startTrace() }
            MenuItem { text: qsTr("Stop") + "\tEsc"; enabled: window.controller.running; onTriggered: window.stopTrace() }
            MenuSeparator {}
            MenuItem { text: qsTr("Export image…") + "\tCtrl+S"; onTriggered: window.openExportDialog() }
            MenuItem { text: qsTr("Copy image") + "\tCtrl+Shift+C"; onTriggered: window.copyImage() }
            MenuItem { text: qsTr("Copy hop table") + "\tCtrl+C"; onTriggered: window.copyTable() }
            MenuSeparator {}
            MenuItem { text: qsTr("Settings…"); onTriggered: window.openSettings() }
            MenuSeparator {}
            MenuItem { text: qsTr("Quit") + "\tCtrl+Q"; onTriggered: Qt.quit() }
        }
        Menu {
            title: qsTr("&View")
            MenuItem { text: qsTr("Fit route") + "\tCtrl+F"; onTriggered: mapPane.fitRoute() }
            MenuItem {
                text: qsTr("Map tiles (OpenStreetMap)")
                checkable: true
                checked: mapPane.tilesEnabled
                enabled: !window.settings.offline
                onToggled: mapPane.tilesEnabled = checked
            }
        }
        Menu {
            title: qsTr("&Help")
            MenuItem { text: qsTr("About tracemap"); onTriggered: aboutDialog.open() }
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
                model: window.controller.recentHosts
                Layout.fillWidth: true
                Layout.minimumWidth: 220
                Layout.maximumWidth: 520
                Component.onCompleted: editText = window.controller.host
                onAccepted: window.startTrace()
                ToolTip.visible: hovered && editText.length === 0
                ToolTip.text: qsTr("A host name or address; Enter starts the trace")
            }
            ComboBox {
                id: methodBox
                objectName: "methodBox"
                model: [ { text: "Auto", value: "auto" }, { text: "UDP", value: "udp" },
                         { text: "ICMP", value: "icmp" }, { text: "TCP", value: "tcp" } ]
                textRole: "text"
                valueRole: "value"
                Component.onCompleted: currentIndex = indexOfValue(window.controller.method)
                onActivated: window.controller.method = currentValue
                Layout.preferredWidth: 90
                ToolTip.visible: hovered
                ToolTip.text: qsTr("Probe method")
            }
            ComboBox {
                id: familyBox
                objectName: "familyBox"
                model: [ { text: "IPv4/IPv6", value: 0 }, { text: "IPv4", value: 4 }, { text: "IPv6", value: 6 } ]
                textRole: "text"
                valueRole: "value"
                Component.onCompleted: currentIndex = indexOfValue(window.controller.family)
                onActivated: window.controller.family = currentValue
                Layout.preferredWidth: 110
            }
            Button {
                objectName: "traceButton"
                text: qsTr("Trace")
                highlighted: true
                enabled: hostField.editText.trim().length > 0
                onClicked: window.startTrace()
            }
            Button {
                objectName: "stopButton"
                text: qsTr("Stop")
                enabled: window.controller.running
                onClicked: window.stopTrace()
            }
            ProgressLine {
                controller: window.controller
                Layout.fillWidth: true
                Layout.leftMargin: 8
            }
        }
    }

    SplitView {
        anchors.fill: parent
        orientation: Qt.Vertical

        MapPane {
            id: mapPane
            objectName: "mapPane"
            controller: window.controller
            settings: window.settings
            SplitView.fillHeight: true
            SplitView.minimumHeight: 200
            onHopClicked: (row) => hopTable.currentIndex = row
        }
        HopTable {
            id: hopTable
            objectName: "hopTable"
            model: window.controller.model
            SplitView.preferredHeight: 280
            SplitView.minimumHeight: 120
            onCurrentIndexChanged: mapPane.currentIndex = currentIndex
        }
    }

    Connections {
        target: mapPane
        function onCurrentIndexChanged() { hopTable.currentIndex = mapPane.currentIndex }
    }
    Connections {
        target: window.controller
        function onFinished(reached) {
            if (window.controller.model.placedCount > 0)
                mapPane.fitRoute()
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
                Layout.fillWidth: true
                Layout.leftMargin: 6
                elide: Text.ElideRight
                color: window.controller.errorMessage.length > 0 && !window.controller.running ? "#b3261e" : palette.windowText
                text: window.controller.errorMessage.length > 0 ? window.controller.errorMessage
                    : window.statusMessage.length > 0 ? window.statusMessage
                    : window.controller.transport.length > 0 ? qsTr("%1 → %2 via %3").arg(window.controller.host).arg(window.controller.destination).arg(window.controller.transport)
                    : qsTr("Type a host and press Enter to trace.")
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
            function onExportRequested(path, width, height) { window.exportImage(path, width, height) }
        }
    }
    Dialog {
        id: aboutDialog
        title: qsTr("About tracemap")
        standardButtons: Dialog.Ok
        anchors.centerIn: Overlay.overlay
        Label {
            text: qsTr("tracemap — a visual traceroute.\n\nMap data © OpenStreetMap contributors (ODbL).\nBasemap: Natural Earth (public domain).\n%1").arg(window.controller.attributions.join("\n"))
        }
    }
}

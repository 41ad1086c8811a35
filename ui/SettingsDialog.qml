// Preferences: map tiles, geolocation sources and privacy, probing defaults.
// Values are written to AppSettings (QSettings) when the dialog is accepted.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Tracemap.App

Dialog {
    id: root
    required property AppSettings settings

    objectName: "settingsDialog"
    parent: Overlay.overlay
    anchors.centerIn: Overlay.overlay
    title: qsTr("Settings")
    modal: true
    dim: true
    padding: 16
    standardButtons: Dialog.Ok | Dialog.Cancel
    width: 620

    function lines(text) {
        return text.split("\n").map(s => s.trim()).filter(s => s.length > 0)
    }

    onAboutToShow: {
        tileUrl.text = settings.tileUrl
        offline.checked = settings.offline
        online.checked = settings.onlineLookups
        nominatim.text = settings.nominatimUrl
        databases.text = settings.databasePaths.join("\n")
        overrides.text = settings.overridePaths.join("\n")
        source.text = settings.sourceLocation
        method.currentIndex = Math.max(0, method.indexOfValue(settings.defaultMethod))
        probeTimeout.value = Math.round(settings.probeTimeoutSec * 10)
        maxTtl.value = settings.maxTtl
        lookupTimeout.value = settings.lookupTimeoutMs
    }
    onAccepted: {
        settings.tileUrl = tileUrl.text
        settings.offline = offline.checked
        settings.onlineLookups = online.checked
        settings.nominatimUrl = nominatim.text
        settings.databasePaths = lines(databases.text)
        settings.overridePaths = lines(overrides.text)
        settings.sourceLocation = source.text
        settings.defaultMethod = method.currentValue
        settings.probeTimeoutSec = probeTimeout.value / 10
        settings.maxTtl = maxTtl.value
        settings.lookupTimeoutMs = lookupTimeout.value
    }

    ScrollView {
        anchors.fill: parent
        implicitHeight: Math.min(grid.implicitHeight, 600)
        contentWidth: availableWidth
        GridLayout {
            id: grid
            width: parent.width
            columns: 2
            columnSpacing: 12
            rowSpacing: 8

            Label { text: qsTr("Map"); font.bold: true; Layout.columnSpan: 2 }
            Label { text: qsTr("Tile URL") }
            TextField { id: tileUrl; Layout.fillWidth: true; placeholderText: "https://tile.openstreetmap.org/{z}/{x}/{y}.png" }

            Label { text: qsTr("Privacy"); font.bold: true; Layout.columnSpan: 2; Layout.topMargin: 6 }
            Label { text: qsTr("Offline") }
            Switch { id: offline; text: qsTr("Nothing leaves this machine (no tiles, no online services)") }
            Label { text: qsTr("Online lookups") }
            Switch {
                id: online
                enabled: !offline.checked
                text: qsTr("Ask an online IP service and Nominatim")
            }

            Label { text: qsTr("Geolocation"); font.bold: true; Layout.columnSpan: 2; Layout.topMargin: 6 }
            Label { text: qsTr("IP databases"); Layout.alignment: Qt.AlignTop }
            TextArea {
                id: databases
                Layout.fillWidth: true
                background: Rectangle {
                    color: root.palette.base
                    border.color: parent.activeFocus ? root.palette.highlight : root.palette.mid
                    radius: 2
                }
                Layout.preferredHeight: 52
                placeholderText: qsTr("MMDB files, one a line (empty: the installed DB-IP City Lite)")
                wrapMode: TextEdit.NoWrap
            }
            Label { text: qsTr("Overrides"); Layout.alignment: Qt.AlignTop }
            TextArea {
                id: overrides
                Layout.fillWidth: true
                background: Rectangle {
                    color: root.palette.base
                    border.color: parent.activeFocus ? root.palette.highlight : root.palette.mid
                    radius: 2
                }
                Layout.preferredHeight: 52
                placeholderText: qsTr("CSV override files or RFC 8805 geofeeds, one a line")
                wrapMode: TextEdit.NoWrap
            }
            Label { text: qsTr("Nominatim URL") }
            TextField { id: nominatim; Layout.fillWidth: true; enabled: online.checked && !offline.checked }
            Label { text: qsTr("Your location") }
            TextField {
                id: source
                Layout.fillWidth: true
                placeholderText: qsTr("LAT,LON (empty: the first located hop)")
                validator: RegularExpressionValidator { regularExpression: /^\s*(-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?)?\s*$/ }
            }
            Label { text: qsTr("Lookup timeout (ms)") }
            SpinBox { id: lookupTimeout; from: 100; to: 60000; stepSize: 500; editable: true }

            Label { text: qsTr("Tracing"); font.bold: true; Layout.columnSpan: 2; Layout.topMargin: 6 }
            Label { text: qsTr("Default method") }
            ComboBox {
                id: method
                textRole: "text"
                valueRole: "value"
                // The toolbar's names; UDP is the default, as in tracemap-cli.
                model: [ { text: "UDP", value: TraceController.Udp }, { text: "ICMP", value: TraceController.Icmp },
                         { text: "TCP", value: TraceController.Tcp },
                         { text: qsTr("Auto (ICMP when permitted)"), value: TraceController.Auto } ]
            }
            Label { text: qsTr("Probe timeout (s)") }
            SpinBox {
                id: probeTimeout
                from: 1; to: 600; stepSize: 5; editable: true
                textFromValue: (v) => (v / 10).toFixed(1)
                valueFromText: (t) => Math.round(parseFloat(t) * 10)
            }
            Label { text: qsTr("Max TTL") }
            SpinBox { id: maxTtl; from: 1; to: 255; editable: true }
            Label { text: qsTr("Recent hosts") }
            Button {
                text: root.settings.recentHosts.length === 1 ? qsTr("Forget the recent host")
                      : root.settings.recentHosts.length > 1 ? qsTr("Forget %1 recent hosts").arg(root.settings.recentHosts.length)
                      : qsTr("No recent hosts")
                enabled: root.settings.recentHosts.length > 0
                onClicked: root.settings.clearRecentHosts()
            }
        }
    }
}

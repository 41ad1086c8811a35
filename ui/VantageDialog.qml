// File → Vantage points: the routes from other vantage points with their colour, state and
// failure, each shown or hidden; open a saved RIPE Atlas or Globalping result file, fetch the
// results of a RIPE Atlas measurement by ID (public measurements need no key), or trace on a
// tracemap-agent by URL and token (the route streams in hop by hop). Everything goes
// through the VantageController; a route that fails says why in its own row.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Tracemap.App

Dialog {
    id: root
    required property VantageController vantage
    signal routesAdded()

    objectName: "vantageDialog"
    parent: Overlay.overlay
    anchors.centerIn: Overlay.overlay
    title: qsTr("Vantage points")
    modal: true
    dim: true
    padding: 16
    width: 620
    standardButtons: Dialog.Close

    function browse() { fileDialog.open() }
    function openPath(url) {
        if (root.vantage.openFile(url))
            root.routesAdded()
    }
    function fetch() {
        const id = parseInt(measurementField.text.trim())
        root.vantage.fetchAtlas(isNaN(id) ? -1 : id)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 10

        RowLayout {
            spacing: 8
            Button { objectName: "openVantageButton"; text: qsTr("Open result file…"); onClicked: root.browse() }
            Label { text: qsTr("RIPE Atlas measurement"); Layout.leftMargin: 12 }
            TextField {
                id: measurementField
                objectName: "measurementField"
                placeholderText: qsTr("ID")
                validator: IntValidator { bottom: 1 }
                Layout.preferredWidth: 110
                onAccepted: root.fetch()
            }
            Button {
                objectName: "fetchAtlasButton"
                text: qsTr("Fetch")
                enabled: measurementField.acceptableInput
                onClicked: root.fetch()
            }
        }
        RowLayout {
            spacing: 8
            Label { text: qsTr("RIPE Atlas API key") }
            TextField {
                id: keyField
                objectName: "atlasKeyField"
                echoMode: TextInput.Password
                placeholderText: qsTr("only for measurements that are not public")
                Layout.fillWidth: true
            }
            Button {
                objectName: "saveKeyButton"
                text: qsTr("Keep")
                onClicked: { root.vantage.setAtlasKey(keyField.text); keyField.clear() }
            }
        }
        RowLayout {
            spacing: 8
            Label { text: qsTr("Agent") }
            TextField {
                id: agentUrl
                objectName: "agentUrlField"
                placeholderText: qsTr("http://host:8080/")
                Layout.fillWidth: true
            }
            TextField {
                id: agentToken
                objectName: "agentTokenField"
                echoMode: TextInput.Password
                placeholderText: qsTr("token (kept)")
                Layout.preferredWidth: 110
            }
            TextField {
                id: agentTarget
                objectName: "agentTargetField"
                placeholderText: qsTr("host to trace")
                Layout.preferredWidth: 130
            }
            Button {
                objectName: "agentTraceButton"
                text: qsTr("Trace")
                enabled: agentUrl.text.trim().length > 0 && agentTarget.text.trim().length > 0
                onClicked: { root.vantage.traceViaAgent(agentUrl.text, agentTarget.text, agentToken.text); agentToken.clear() }
            }
        }
        Label {
            text: root.vantage.count === 0 ? qsTr("No routes from other vantage points yet.") : qsTr("%1 routes").arg(root.vantage.count)
            opacity: 0.7
        }
        ListView {
            objectName: "vantageRoutes"
            model: root.vantage.routeList
            clip: true
            Layout.fillWidth: true
            Layout.preferredHeight: 260
            ScrollBar.vertical: ScrollBar {}
            delegate: RowLayout {
                required property var modelData
                required property int index
                width: ListView.view.width
                spacing: 8
                CheckBox {
                    checked: modelData.visible
                    onToggled: root.vantage.setRouteVisible(index, checked)
                }
                Rectangle { color: modelData.color; width: 14; height: 14; radius: 7 }
                Label {
                    text: modelData.place.length > 0 ? qsTr("%1, %2").arg(modelData.name).arg(modelData.place) : modelData.name
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
                Label {
                    text: modelData.reason.length > 0 ? qsTr("%1: %2").arg(modelData.stateText).arg(modelData.reason) : modelData.stateText
                    color: modelData.state === VantageController.Failed ? "#c62828" : palette.windowText
                    elide: Text.ElideRight
                    Layout.maximumWidth: 260
                }
            }
        }
        RowLayout {
            Button { text: qsTr("Remove all"); enabled: root.vantage.count > 0; onClicked: root.vantage.clear() }
        }
    }

    FileDialog {
        id: fileDialog
        objectName: "vantageFileDialog"
        title: qsTr("Open RIPE Atlas or Globalping results")
        fileMode: FileDialog.OpenFile
        nameFilters: [qsTr("Result files (*.json)"), qsTr("All files (*)")]
        onAccepted: root.openPath(selectedFile.toString())
    }
}

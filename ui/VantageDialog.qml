// File → Vantage points: the routes from other vantage points with their colour, state and
// failure, each shown or hidden; open a saved RIPE Atlas or Globalping result file, fetch the
// results of a RIPE Atlas measurement by ID (public measurements need no key), create a RIPE
// Atlas one-off (priced first: nothing is sent before the user says yes in the confirmation,
// whose default is Cancel) or a Globalping traceroute / mtr, or trace on a tracemap-agent by URL
// and token (the route streams in hop by hop). Everything goes through the VantageController;
// a route that fails says why in its own row.
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
    width: 700
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
                placeholderText: qsTr("for one-offs and measurements that are not public")
                Layout.fillWidth: true
            }
            Button {
                objectName: "saveKeyButton"
                text: qsTr("Keep")
                onClicked: { root.vantage.setAtlasKey(keyField.text); keyField.clear() }
            }
        }
        TabBar {
            id: createTabs
            objectName: "createTabs"
            Layout.fillWidth: true
            TabButton { text: qsTr("RIPE Atlas one-off") }
            TabButton { text: qsTr("Globalping") }
        }
        StackLayout {
            currentIndex: createTabs.currentIndex
            Layout.fillWidth: true
            Layout.preferredHeight: Math.max(atlasCreateRow.implicitHeight, globalpingCreate.implicitHeight)
            RowLayout {
                id: atlasCreateRow
                spacing: 8
                TextField {
                    id: atlasTarget
                    objectName: "atlasTargetField"
                    placeholderText: qsTr("host to trace")
                    Layout.fillWidth: true
                }
                Label { text: qsTr("from") }
                SpinBox {
                    id: atlasProbes
                    objectName: "atlasProbesBox"
                    from: 1; to: 1000; value: 5
                    editable: true
                    Layout.preferredWidth: 110
                }
                Label { text: qsTr("probes in") }
                ComboBox {
                    id: atlasSelection
                    objectName: "atlasSelectionBox"
                    model: [qsTr("Country"), qsTr("AS"), qsTr("Area")]
                    readonly property var keys: ["country", "asn", "area"]
                    Layout.preferredWidth: 100
                }
                TextField {
                    id: atlasValue
                    objectName: "atlasValueField"
                    visible: atlasSelection.currentIndex !== 2
                    placeholderText: atlasSelection.currentIndex === 0 ? qsTr("DE") : qsTr("3320")
                    Layout.preferredWidth: 70
                }
                ComboBox {
                    id: atlasArea
                    objectName: "atlasAreaBox"
                    visible: atlasSelection.currentIndex === 2
                    model: root.vantage.atlasAreas
                    Layout.preferredWidth: 130
                }
                Button {
                    objectName: "atlasCreateButton"
                    text: qsTr("Create…")
                    enabled: atlasTarget.text.trim().length > 0
                             && (atlasSelection.currentIndex === 2 || atlasValue.text.trim().length > 0)
                    onClicked: root.vantage.requestAtlasTrace(atlasTarget.text, atlasProbes.value,
                                   atlasSelection.keys[atlasSelection.currentIndex],
                                   atlasSelection.currentIndex === 2 ? atlasArea.currentText : atlasValue.text)
                }
            }
            ColumnLayout {
                id: globalpingCreate
                spacing: 6
                RowLayout {
                    spacing: 8
                    ComboBox {
                        id: globalpingType
                        objectName: "globalpingTypeBox"
                        model: ["traceroute", "mtr"]
                        Layout.preferredWidth: 110
                    }
                    TextField {
                        id: globalpingTarget
                        objectName: "globalpingTargetField"
                        placeholderText: qsTr("host to trace")
                        Layout.fillWidth: true
                    }
                    Label { text: qsTr("from") }
                    TextField {
                        id: globalpingFrom
                        objectName: "globalpingFromField"
                        placeholderText: qsTr("Germany, Tokyo, AS3320 (empty: anywhere)")
                        Layout.fillWidth: true
                    }
                }
                RowLayout {
                    spacing: 8
                    Label { text: qsTr("Probes") }
                    SpinBox {
                        id: globalpingLimit
                        objectName: "globalpingLimitBox"
                        from: 1; to: 50; value: 3
                        editable: true
                        Layout.preferredWidth: 100
                    }
                    TextField {
                        id: globalpingToken
                        objectName: "globalpingTokenField"
                        echoMode: TextInput.Password
                        placeholderText: qsTr("token (optional, kept)")
                        Layout.fillWidth: true
                    }
                    Button {
                        objectName: "globalpingCreateButton"
                        text: qsTr("Create")
                        enabled: globalpingTarget.text.trim().length > 0
                        onClicked: {
                            root.vantage.createGlobalping(globalpingTarget.text, globalpingFrom.text, globalpingLimit.value,
                                                          globalpingType.currentIndex === 1, globalpingToken.text)
                            globalpingToken.clear()
                            root.routesAdded()
                        }
                    }
                }
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
            text: root.vantage.count === 0 ? qsTr("No routes from other vantage points yet.")
                  : root.vantage.count === 1 ? qsTr("1 route") : qsTr("%1 routes").arg(root.vantage.count)
            opacity: 0.7
        }
        // The last thing said about these requests (a refusal, a wait, a file read), here where
        // the user is looking, as well as in the window's status bar.
        Label {
            objectName: "vantageStatus"
            Layout.fillWidth: true
            visible: text.length > 0
            text: root.vantage.statusMessage
            wrapMode: Text.Wrap
            maximumLineCount: 2
            elide: Text.ElideRight
        }
        ListView {
            objectName: "vantageRoutes"
            model: root.vantage.routeList
            clip: true
            Layout.fillWidth: true
            Layout.preferredHeight: 220
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
                    // An agent's route says where it starts: configured, its address, or estimated.
                    readonly property string named: modelData.place.length > 0 ? qsTr("%1, %2").arg(modelData.name).arg(modelData.place) : modelData.name
                    text: modelData.startNote.length > 0 ? qsTr("%1 — start %2").arg(named).arg(modelData.startNote) : named
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

    // The price of a one-off, asked before anything is sent. Cancel is the default: Enter or
    // Escape spend nothing.
    Dialog {
        id: costDialog
        objectName: "atlasCostDialog"
        parent: Overlay.overlay
        anchors.centerIn: Overlay.overlay
        title: qsTr("Spend RIPE Atlas credits?")
        modal: true
        dim: true
        padding: 16
        width: 460
        closePolicy: Popup.CloseOnEscape
        onRejected: root.vantage.cancelCreation()
        onAccepted: root.vantage.confirmCreation()
        onOpened: cancelCostButton.forceActiveFocus()
        ColumnLayout {
            anchors.fill: parent
            spacing: 8
            Label {
                objectName: "atlasCostText"
                text: root.vantage.pendingCreation.text !== undefined ? root.vantage.pendingCreation.text : ""
                wrapMode: Text.Wrap
                Layout.fillWidth: true
            }
            Label {
                objectName: "atlasCostCredits"
                text: qsTr("%1 credits").arg(root.vantage.pendingCreation.credits !== undefined ? root.vantage.pendingCreation.credits : 0)
                font.bold: true
                font.pixelSize: 18
            }
        }
        footer: DialogButtonBox {
            Button {
                id: cancelCostButton
                objectName: "atlasCostCancel"
                text: qsTr("Cancel")
                highlighted: true // the default: Enter spends nothing
                DialogButtonBox.buttonRole: DialogButtonBox.RejectRole
                Keys.onReturnPressed: costDialog.reject()
                Keys.onEnterPressed: costDialog.reject()
            }
            Button {
                objectName: "atlasCostCreate"
                text: qsTr("Create and spend")
                DialogButtonBox.buttonRole: DialogButtonBox.AcceptRole
            }
        }
    }
    Connections {
        target: root.vantage
        function onPendingCreationChanged() {
            if (root.vantage.pendingCreation.credits !== undefined)
                costDialog.open()
            else if (costDialog.opened)
                costDialog.close()
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

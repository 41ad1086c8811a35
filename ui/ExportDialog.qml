// File → Export image: where to save, and at the map's size or a chosen one. Save (or Enter in
// the path) asks the window to write the image; the dialog closes only when that worked and
// otherwise shows why, in the error colour, keeping the path for a correction.
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Tracemap.App

Dialog {
    id: root
    required property ImageExporter exporter
    signal exportRequested(string path, int width, int height)

    objectName: "exportDialog"
    parent: Overlay.overlay
    anchors.centerIn: Overlay.overlay
    title: qsTr("Export image")
    modal: true
    dim: true
    padding: 16
    width: 560

    function openFor(host, mapWidth, mapHeight) {
        path.text = exporter.suggestedPath(host)
        error.text = ""
        windowSize.text = qsTr("Map size on screen (%1 × %2)").arg(Math.round(mapWidth)).arg(Math.round(mapHeight))
        widthBox.value = Math.round(mapWidth)
        heightBox.value = Math.round(mapHeight)
        open()
        path.forceActiveFocus()
    }
    function save() {
        error.text = ""
        if (path.text.trim().length === 0) {
            showError(qsTr("Give the image a file name."))
            return
        }
        if (windowSize.checked)
            exportRequested(path.text.trim(), 0, 0)
        else
            exportRequested(path.text.trim(), widthBox.value, heightBox.value)
    }
    function showError(message) { error.text = message }
    function openFileDialog() { fileDialog.open() }

    footer: DialogButtonBox {
        standardButtons: DialogButtonBox.Cancel
        Button {
            objectName: "saveButton"
            text: qsTr("Save")
            highlighted: true
            DialogButtonBox.buttonRole: DialogButtonBox.ApplyRole
            onClicked: root.save()
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 10
        RowLayout {
            Layout.fillWidth: true
            TextField {
                id: path
                objectName: "exportPath"
                Layout.fillWidth: true
                selectByMouse: true
                onAccepted: root.save()
            }
            Button { objectName: "browseButton"; text: qsTr("Browse…"); onClicked: root.openFileDialog() }
        }
        ButtonGroup { id: sizeGroup }
        RadioButton { id: windowSize; checked: true; ButtonGroup.group: sizeGroup }
        RowLayout {
            RadioButton { id: customSize; text: qsTr("Size"); ButtonGroup.group: sizeGroup }
            SpinBox { id: widthBox; from: 64; to: 8192; editable: true; enabled: customSize.checked }
            Label { text: "×" }
            SpinBox { id: heightBox; from: 64; to: 8192; editable: true; enabled: customSize.checked }
            Label { text: qsTr("pixels") }
        }
        Label {
            id: error
            objectName: "exportError"
            Layout.fillWidth: true
            visible: text.length > 0
            wrapMode: Text.Wrap
            color: "#c62828"
        }
    }

    FileDialog {
        id: fileDialog
        objectName: "exportFileDialog"
        title: qsTr("Export image")
        fileMode: FileDialog.SaveFile
        acceptLabel: qsTr("Choose") // it fills the path field; Export writes (Qt 6.4 says "Open")
        nameFilters: [qsTr("PNG images (*.png)")]
        defaultSuffix: "png"
        currentFolder: root.exporter.folderUrl(path.text)
        onAccepted: path.text = root.exporter.localPngPath(selectedFile)
    }
}

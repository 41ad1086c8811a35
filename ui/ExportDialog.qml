// File → Export image: where to save, and at the map's size or a chosen one.
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
    standardButtons: Dialog.Save | Dialog.Cancel
    width: 520

    function openFor(host, mapWidth, mapHeight) {
        path.text = exporter.suggestedPath(host)
        windowSize.text = qsTr("Map size on screen (%1 × %2)").arg(Math.round(mapWidth)).arg(Math.round(mapHeight))
        widthBox.value = Math.round(mapWidth)
        heightBox.value = Math.round(mapHeight)
        open()
    }
    onAccepted: {
        if (path.text.length === 0)
            return
        if (windowSize.checked)
            exportRequested(path.text, 0, 0)
        else
            exportRequested(path.text, widthBox.value, heightBox.value)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 8
        RowLayout {
            Layout.fillWidth: true
            TextField { id: path; Layout.fillWidth: true; selectByMouse: true }
            Button { text: qsTr("Browse…"); onClicked: fileDialog.open() }
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
    }

    FileDialog {
        id: fileDialog
        title: qsTr("Export image")
        fileMode: FileDialog.SaveFile
        nameFilters: [qsTr("PNG images (*.png)")]
        defaultSuffix: "png"
        onAccepted: path.text = root.exporter.localPngPath(selectedFile)
    }
}

// File → Open…, Save as… and Export: one file dialog, set up for the action and the format by
// openFor(); the chosen file goes to the DocumentController, which reports the outcome in the
// window's status area.
import QtQuick
import QtQuick.Dialogs
import Tracemap.App

FileDialog {
    id: root
    required property DocumentController documents
    property int format: DocumentController.TraceFileFormat
    property bool opening: true

    objectName: "traceFileDialog"

    function openFor(isOpen, chosenFormat) {
        opening = isOpen
        format = chosenFormat
        title = isOpen ? qsTr("Open trace")
              : chosenFormat === DocumentController.TraceFileFormat ? qsTr("Save trace")
              : qsTr("Export")
        fileMode = isOpen ? FileDialog.OpenFile : FileDialog.SaveFile
        nameFilters = [documents.nameFilter(chosenFormat), qsTr("All files (*)")]
        currentFolder = documents.folderUrl()
        open()
    }

    onAccepted: {
        if (opening)
            documents.open(selectedFile.toString())
        else if (format === DocumentController.TraceFileFormat)
            documents.save(selectedFile.toString())
        else
            documents.exportAs(selectedFile.toString(), format)
    }
}

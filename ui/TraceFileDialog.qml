// File → Open…, Save as…, Compare with file… and Export: one file dialog, set up for the action
// and the format by openFor() / openForCompare(); the chosen file goes to the DocumentController, which reports the outcome in the
// window's status area.
import QtQuick
import QtQuick.Dialogs
import Tracemap.App

FileDialog {
    id: root
    required property DocumentController documents
    property int format: DocumentController.TraceFileFormat
    property bool opening: true
    property bool comparing: false // the chosen file is compared with the trace shown

    objectName: "traceFileDialog"

    function openFor(isOpen, chosenFormat) {
        comparing = false
        opening = isOpen
        format = chosenFormat
        title = isOpen ? qsTr("Open trace")
              : chosenFormat === DocumentController.TraceFileFormat ? qsTr("Save trace")
              : qsTr("Export")
        fileMode = isOpen ? FileDialog.OpenFile : FileDialog.SaveFile
        // Qt 6.4's own (non-native) dialog labels its button "Open" in SaveFile mode too: the
        // action is named every time.
        acceptLabel = isOpen ? qsTr("Open")
                    : chosenFormat === DocumentController.TraceFileFormat ? qsTr("Save")
                    : qsTr("Export")
        nameFilters = [documents.nameFilter(chosenFormat), qsTr("All files (*)")]
        currentFolder = documents.folderUrl()
        open()
    }
    function openForCompare() {
        openFor(true, DocumentController.TraceFileFormat)
        comparing = true
        title = qsTr("Compare with trace")
        acceptLabel = qsTr("Compare")
    }

    // The file chosen: what the dialog is for is done with it (a test calls this directly, as
    // Qt's non-native dialog keeps its own selection).
    function useFile(url) {
        if (comparing)
            documents.compareWithFile(url)
        else if (opening)
            documents.open(url)
        else if (format === DocumentController.TraceFileFormat)
            documents.save(url)
        else
            documents.exportAs(url, format)
    }

    onAccepted: useFile(selectedFile.toString())
}
